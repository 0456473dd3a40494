namespace FastVideo.Onnx.Server.Jobs;

/// <summary>
/// What a job generates, as validated when it was created (stored with the job, so a job that runs again after a restart
/// runs the same request: the seed is fixed at creation). Null values come from the model's defaults when it runs.
/// </summary>
public sealed record JobSpec
{
    public string Prompt { get; init; } = "";
    public string? NegativePrompt { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public int NumFrames { get; init; }
    public int Fps { get; init; }
    public long Seed { get; init; }
    public int? Steps { get; init; }
    public double? GuidanceScale { get; init; }
    public double? VsaSparsity { get; init; }

    /// <summary>OpenAI's seconds field as the client gave it (or as the frame count gives it).</summary>
    public string Seconds { get; init; } = "";

    /// <summary>The uploaded conditioning image, relative to the data folder (uploads/ID.EXT).</summary>
    public string? Image { get; init; }
}
