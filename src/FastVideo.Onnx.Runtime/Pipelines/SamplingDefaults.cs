namespace FastVideo.Onnx.Runtime.Pipelines;

/// <summary>
/// Sampling settings of a published model (FastVideo's defaults for it), bound from a preset's "sampling" section.
/// The initial values are Diffusers' WanPipeline defaults.
/// </summary>
public sealed record SamplingDefaults
{
    public int Height { get; init; } = 480;
    public int Width { get; init; } = 832;
    public int NumFrames { get; init; } = 81;
    public int Fps { get; init; } = 16;
    public int Steps { get; init; } = 50;
    public double GuidanceScale { get; init; } = 5.0;

    /// <summary>Two-expert models (Wan2.2 A14B): the low-noise expert's guidance scale; null: <see cref="GuidanceScale"/>.</summary>
    public double? GuidanceScale2 { get; init; }
    public double? FlowShift { get; init; }
    public int MaxSequenceLength { get; init; } = 512;
    public string NegativePrompt { get; init; } = "";

    /// <summary>DMD pipelines: the few-step timesteps (FastVideo's dmd_denoising_steps); null gives [1000, 757, 522].</summary>
    public int[]? DmdSteps { get; init; }

    /// <summary>LTX-Video: the frame rate of the RoPE time axis (Diffusers' frame_rate, 25).</summary>
    public double FrameRate { get; init; } = 25;

    /// <summary>LTX-Video with a timestep-conditioned VAE: the decode timestep; null means the request must give one.</summary>
    public double? DecodeTimestep { get; init; }

    /// <summary>LTX-Video with a timestep-conditioned VAE: the decode noise scale; null means DecodeTimestep (as Diffusers).</summary>
    public double? DecodeNoiseScale { get; init; }

    /// <summary>Diffusers' guidance_rescale (0: none).</summary>
    public double GuidanceRescale { get; init; }

    /// <summary>VSA transformers: the sparsity (FastVideo's VSA_sparsity; 0 keeps every tile).</summary>
    public double VsaSparsity { get; init; }
}
