using Orleans.Placement;

namespace FastVideo.Onnx.Server.Cluster;

/// <summary>Places a grain keyed by <see cref="WorkerIds"/> on the silo its key names, and nowhere else.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class OwnSiloPlacementFilterAttribute() : PlacementFilterAttribute(new OwnSiloPlacementFilterStrategy());
