using Orleans.Placement;

namespace FastVideo.Onnx.Server.Cluster;

/// <summary>The placement filter of grains whose key begins with a silo address: see <see cref="OwnSiloPlacementFilterDirector"/>.</summary>
internal sealed class OwnSiloPlacementFilterStrategy() : PlacementFilterStrategy(0);
