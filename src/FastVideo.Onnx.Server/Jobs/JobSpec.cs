namespace FastVideo.Onnx.Server.Jobs;

/// <summary>
/// What a job generates, as validated when it was created (stored with the job, so a job that runs again after a restart
/// runs the same request: the seed is fixed at creation). Null values come from the model's defaults when it runs.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record JobSpec
{
    [Id(0)] public string Prompt { get; init; } = "";
    [Id(1)] public string? NegativePrompt { get; init; }
    [Id(2)] public int Width { get; init; }
    [Id(3)] public int Height { get; init; }
    [Id(4)] public int NumFrames { get; init; }
    [Id(5)] public int Fps { get; init; }
    [Id(6)] public long Seed { get; init; }
    [Id(7)] public int? Steps { get; init; }
    [Id(8)] public double? GuidanceScale { get; init; }
    [Id(9)] public double? VsaSparsity { get; init; }

    /// <summary>OpenAI's seconds field as the client gave it (or as the frame count gives it).</summary>
    [Id(10)] public string Seconds { get; init; } = "";

    /// <summary>The uploaded conditioning image, relative to the data folder (uploads/ID.EXT).</summary>
    [Id(11)] public string? Image { get; init; }

    /// <summary>Two-expert models (Wan2.2 A14B): the low-noise expert's guidance scale.</summary>
    [Id(12)] public double? GuidanceScale2 { get; init; }

    /// <summary>LTX-Video: the frame rate of the RoPE time axis, the decoder's timestep and noise scale, guidance rescale.</summary>
    [Id(13)] public double? FrameRate { get; init; }
    [Id(14)] public double? DecodeTimestep { get; init; }
    [Id(15)] public double? DecodeNoiseScale { get; init; }
    [Id(16)] public double? GuidanceRescale { get; init; }
}
