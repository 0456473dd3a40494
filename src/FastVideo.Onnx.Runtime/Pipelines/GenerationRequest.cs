using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Pipelines;

/// <summary>
/// One video to generate. Unset values come from the model's sampling defaults (its preset, else Diffusers' defaults).
/// </summary>
public sealed record GenerationRequest
{
    /// <summary>What the video shows.</summary>
    public string Prompt { get; init; } = "";

    /// <summary>Null: the preset's negative prompt (Wan's default); "" means none.</summary>
    public string? NegativePrompt { get; init; }

    /// <summary>The conditioning image of image-to-video pipelines (a file path).</summary>
    public string? Image { get; init; }

    /// <summary>Frame height in pixels (a multiple of the model's size multiple); null: the preset's.</summary>
    public int? Height { get; init; }
    /// <summary>Frame width in pixels (a multiple of the model's size multiple); null: the preset's.</summary>
    public int? Width { get; init; }
    /// <summary>Number of frames (4k+1 for Wan; other values are rounded down with a notice); null: the preset's.</summary>
    public int? NumFrames { get; init; }
    /// <summary>Number of denoising steps; null: the preset's.</summary>
    public int? Steps { get; init; }
    /// <summary>Classifier-free guidance scale (1 or less disables guidance); null: the preset's.</summary>
    public double? GuidanceScale { get; init; }

    /// <summary>
    /// Two-expert models (Wan2.2 A14B): the guidance scale of the low-noise expert (<c>transformer_2</c>, the steps below
    /// the boundary). Null: the preset's, else <see cref="GuidanceScale"/> (as Diffusers). Refused by one-expert models.
    /// </summary>
    public double? GuidanceScale2 { get; init; }

    /// <summary>Text tokens given to the text encoder; null: the preset's.</summary>
    public int? MaxSequenceLength { get; init; }

    /// <summary>Seed of torch-compatible noise (the same seed gives Diffusers' initial latents). Null: random.</summary>
    public long? Seed { get; init; }

    /// <summary>Explicit initial noise [1, C, f, h, w] instead of a seed.</summary>
    public HostTensor? Latents { get; init; }

    /// <summary>Overrides the scheduler's flow shift.</summary>
    public double? FlowShift { get; init; }

    /// <summary>Frames per second of the written video; null: the preset's.</summary>
    public int? Fps { get; init; }

    /// <summary>DMD pipelines (FastWan): the timesteps of the few-step loop, strictly decreasing in [1, 1000]. Null: the preset's.</summary>
    public IReadOnlyList<int>? DmdSteps { get; init; }

    /// <summary>Video Sparse Attention (FastWan transformers): the share of key tiles each query tile skips, in [0, 1). Null: the preset's.</summary>
    public double? VsaSparsity { get; init; }

    /// <summary>LTX-Video: the frame rate the video is generated for (it scales the temporal RoPE positions). Null: the preset's.</summary>
    [FamilyOption]
    public double? FrameRate { get; init; }

    /// <summary>LTX-Video with a timestep-conditioned VAE (0.9.1+): the timestep the decoder is conditioned on. Null: the preset's.</summary>
    [FamilyOption]
    public double? DecodeTimestep { get; init; }

    /// <summary>LTX-Video with a timestep-conditioned VAE: the weight of the noise mixed into the latents before decoding. Null: the preset's, else DecodeTimestep.</summary>
    [FamilyOption]
    public double? DecodeNoiseScale { get; init; }

    /// <summary>Rescales the guided prediction towards the conditional one's standard deviation (Diffusers' guidance_rescale; LTX-Video). Null: the preset's.</summary>
    [FamilyOption]
    public double? GuidanceRescale { get; init; }

    /// <summary>Stop after denoising and return latents only (no VAE decode).</summary>
    public bool LatentsOnly { get; init; }
}
