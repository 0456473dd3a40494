namespace FastVideo.Onnx.Server.Jobs;

/// <summary>OpenAI's video status values, as stored and as written in the video object.</summary>
public static class JobStatus
{
    public const string Queued = "queued";
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string Failed = "failed";

    public static readonly string[] All = { Queued, InProgress, Completed, Failed };

    public static bool IsFinal(string status) => status is Completed or Failed;
}
