namespace FastVideo.Onnx.Server.Jobs;

/// <summary>Something that happened to a job, as streamed to its event subscribers.</summary>
/// <param name="Kind">video.progress, video.completed or video.failed.</param>
[GenerateSerializer, Immutable]
internal sealed record JobEvent(string Kind, string JobId, int Progress, string? Stage, int Step, int Steps)
{
    public const string ProgressKind = "video.progress";
    public const string CompletedKind = "video.completed";
    public const string FailedKind = "video.failed";

    public bool IsFinal => Kind is CompletedKind or FailedKind;
}
