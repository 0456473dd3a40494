using Orleans.Runtime;

namespace FastVideo.Onnx.Server.Cluster;

/// <summary>
/// A worker's id in the cluster: its silo's address and its device (<c>S127.0.0.1:11111:123456789/cpu</c>), the key of
/// its worker grain, and the owner recorded on the jobs it runs.
/// </summary>
internal static class WorkerIds
{
    public static string Of(SiloAddress silo, string device) => $"{silo.ToParsableString()}/{device}";

    public static SiloAddress SiloOf(string worker) => SiloAddress.FromParsableString(worker[..worker.LastIndexOf('/')]);
}
