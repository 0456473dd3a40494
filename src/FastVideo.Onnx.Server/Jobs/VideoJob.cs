namespace FastVideo.Onnx.Server.Jobs;

/// <summary>One row of the jobs table. Times are Unix seconds.</summary>
[GenerateSerializer, Immutable]
internal sealed record VideoJob
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Owner { get; init; }
    [Id(2)] public required string Model { get; init; }
    [Id(3)] public required string Status { get; init; }
    [Id(4)] public int Progress { get; init; }
    [Id(5)] public string? Stage { get; init; }
    [Id(6)] public long CreatedAt { get; init; }
    [Id(7)] public long? StartedAt { get; init; }
    [Id(8)] public long? CompletedAt { get; init; }
    [Id(9)] public long? ExpiresAt { get; init; }
    [Id(10)] public required JobSpec Spec { get; init; }
    [Id(11)] public string? ErrorCode { get; init; }
    [Id(12)] public string? ErrorMessage { get; init; }
    [Id(13)] public int Attempts { get; init; }

    /// <summary>The video and its thumbnail, relative to the data folder; null until completed and after expiry.</summary>
    [Id(14)] public string? Output { get; init; }
    [Id(15)] public string? Thumbnail { get; init; }
    [Id(16)] public string? Worker { get; init; }
}
