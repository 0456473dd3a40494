using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace FastVideo.Onnx.Server.Cluster;

/// <summary>
/// Keeps only the silo named by the grain's key: a worker grain lives where its device is. When that silo has left the
/// cluster no silo is left, and the call fails instead of activating the worker on a machine without its device.
/// </summary>
internal sealed class OwnSiloPlacementFilterDirector : IPlacementFilterDirector
{
    public IEnumerable<SiloAddress> Filter(PlacementFilterStrategy filterStrategy, PlacementTarget target, IEnumerable<SiloAddress> silos)
    {
        var own = WorkerIds.SiloOf(target.GrainIdentity.Key.ToString()!);
        return silos.Where(s => s.Equals(own));
    }
}
