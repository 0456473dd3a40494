namespace FastVideo.Onnx.Server.Jobs;

/// <summary>One row of the jobs table. Times are Unix seconds.</summary>
public sealed record VideoJob
{
    public required string Id { get; init; }
    public required string Owner { get; init; }
    public required string Model { get; init; }
    public required string Status { get; init; }
    public int Progress { get; init; }
    public string? Stage { get; init; }
    public long CreatedAt { get; init; }
    public long? StartedAt { get; init; }
    public long? CompletedAt { get; init; }
    public long? ExpiresAt { get; init; }
    public required JobSpec Spec { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public int Attempts { get; init; }

    /// <summary>The video and its thumbnail, relative to the data folder; null until completed and after expiry.</summary>
    public string? Output { get; init; }
    public string? Thumbnail { get; init; }
    public string? Worker { get; init; }
}
