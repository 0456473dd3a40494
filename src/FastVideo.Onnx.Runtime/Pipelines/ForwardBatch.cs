using FastVideo.Onnx.Runtime.Output;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Pipelines;

/// <summary>
/// The state that passes through a pipeline's stages (FastVideo's ForwardBatch): the resolved settings, then what
/// each stage adds (embeddings, timesteps, latents, conditioning, video).
/// </summary>
public sealed class ForwardBatch
{
    public ForwardBatch(GenerationRequest request) => Request = request;

    public GenerationRequest Request { get; }
    public List<string> Notices { get; } = new();

    // ---- resolved by input validation ----
    public string Prompt { get; set; } = "";
    public string NegativePrompt { get; set; } = "";
    public int Height { get; set; }
    public int Width { get; set; }
    public int NumFrames { get; set; }
    public int Steps { get; set; }
    public double GuidanceScale { get; set; }
    /// <summary>Two-expert models: the low-noise expert's guidance scale (equal to <see cref="GuidanceScale"/> unless set).</summary>
    public double GuidanceScale2 { get; set; }
    public int MaxSequenceLength { get; set; }
    public long Seed { get; set; }
    public int Fps { get; set; }
    /// <summary>Video Sparse Attention's sparsity (used by VSA transformers only).</summary>
    public double VsaSparsity { get; set; }
    /// <summary>Classifier-free guidance (both passes, batch 2): decided by the first guidance scale for both experts, as Diffusers does.</summary>
    public bool DoClassifierFreeGuidance => GuidanceScale > 1.0;

    // ---- added by the stages ----
    /// <summary>[1, L, D] prompt embeddings, zero past the prompt's tokens.</summary>
    public HostTensor? PromptEmbeds { get; set; }
    public HostTensor? NegativePromptEmbeds { get; set; }
    /// <summary>[1, N, D] image tokens (image-to-video).</summary>
    public HostTensor? ImageEmbeds { get; set; }
    /// <summary>[1, C, f, h, w] extra transformer input channels (image-to-video: mask + encoded first frame).</summary>
    public HostTensor? Condition { get; set; }
    /// <summary>
    /// [1, C, 1, h, w] latents of the conditioning image that replace latent frame 0 (Wan2.2 TI2V image-to-video,
    /// <c>expand_timesteps</c>): the transformer sees them at every step, with timestep 0 on their tokens.
    /// </summary>
    public HostTensor? FirstFrameLatents { get; set; }
    public HostTensor? Latents { get; set; }
    public float[]? Timesteps { get; set; }
    /// <summary>The request's scheduler, with its timesteps set.</summary>
    public IScheduler? Scheduler { get; set; }
    public VideoFrames? Video { get; set; }
    /// <summary>The request's noise generator when stages after latent preparation draw from it too (DMD's re-noising).</summary>
    public Noise.TorchGenerator? Generator { get; set; }

    /// <summary>The conditioning image, decoded once by input validation (image-to-video).</summary>
    public Imaging.RgbImage? Image { get; set; }

    /// <summary>Latent grid (frames, height, width) of the resolved size in <paramref name="latents"/>' layout.</summary>
    public (long F, long H, long W) LatentGrid(Components.LatentLayout latents) => latents.Grid(NumFrames, Height, Width);
}
