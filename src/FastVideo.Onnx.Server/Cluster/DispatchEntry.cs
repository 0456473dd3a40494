namespace FastVideo.Onnx.Server.Cluster;

/// <summary>A job as the dispatcher knows it.</summary>
[GenerateSerializer, Immutable]
internal sealed record DispatchEntry([property: Id(0)] long Seq, [property: Id(1)] string Id, [property: Id(2)] string Owner, [property: Id(3)] string Model,
    [property: Id(4)] string? Worker = null);
