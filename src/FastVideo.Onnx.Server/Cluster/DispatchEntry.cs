namespace FastVideo.Onnx.Server.Cluster;

/// <summary>A job as the dispatcher knows it (its owner's list is the owner grain's; field 2 once held the owner).</summary>
[GenerateSerializer, Immutable]
internal sealed record DispatchEntry([property: Id(0)] long Seq, [property: Id(1)] string Id, [property: Id(3)] string Model,
    [property: Id(4)] string? Worker = null);
