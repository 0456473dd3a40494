using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Onnx;

/// <summary>
/// The custom operators of native/fastvideo_kernels (domain <see cref="Domain"/>), written once: the fused lowering
/// (<see cref="FusedKernelGraphBuilder"/>) builds its nodes from these signatures, and a test checks them against the
/// library's registration code (src/custom_ops.cc). Arithmetic is float32; inputs named for the float32 side tensors
/// (weights, modulation, gates, rotary tables) are float32, the others have the main input's element type.
/// </summary>
internal static class FastVideoKernels
{
    public const string Domain = "com.fastvideo";

    /// <summary>LayerNorm over the last axis with optional affine weight/bias and the DiT modulation <c>·(1 + scale) + shift</c>.</summary>
    public static readonly KernelOperator FusedLayerNorm = new("FusedLayerNorm", new[] { "x", "weight", "bias", "scale", "shift" }, 1, new[] { "epsilon" });

    /// <summary><c>x + (y + bias)·gate</c>.</summary>
    public static readonly KernelOperator GatedResidual = new("GatedResidual", new[] { "x", "y", "bias", "gate" }, 1, Array.Empty<string>());

    /// <summary>The gated residual update and the modulated LayerNorm of its result: outputs (residual, normed).</summary>
    public static readonly KernelOperator ResidualLayerNorm = new("ResidualLayerNorm",
        new[] { "x", "y", "bias", "gate", "weight", "norm_bias", "scale", "shift" }, 2, new[] { "epsilon" });

    /// <summary>RMSNorm of <c>y + bias</c> over the last axis, then (with cos/sin) the interleaved rotary embedding per head.</summary>
    public static readonly KernelOperator RmsNormRotary = new("RmsNormRotary", new[] { "y", "bias", "weight", "cos", "sin" }, 1,
        new[] { "epsilon", "num_heads" });

    /// <summary><c>x @ weight + bias</c> (weight stored [in, out]) with an optional activation in the epilogue ("none", "gelu_tanh").</summary>
    public static readonly KernelOperator Linear = new("Linear", new[] { "x", "weight", "bias" }, 1, new[] { "activation" });

    /// <summary>Wan VAE's channel RMS norm (+ SiLU) over [B, C, *spatial].</summary>
    public static readonly KernelOperator ChannelRmsNorm = new("ChannelRmsNorm", new[] { "x", "gamma" }, 1, new[] { "scale", "epsilon", "silu" });

    /// <summary>The same over channels-last activations [B, *spatial, C].</summary>
    public static readonly KernelOperator ChannelsLastRmsNorm = new("ChannelsLastRmsNorm", new[] { "x", "gamma" }, 1, new[] { "scale", "epsilon", "silu" });

    /// <summary>
    /// FastVideo's Video Sparse Attention (<see cref="Modeling.VideoSparseAttention"/>): q, k, v, gate [B, S, heads·head_dim]
    /// (float16 or bfloat16; head_dim 64 or 128), the DiT grid as int64 [1] each (read on the host), sparsity float32 [1].
    /// </summary>
    public static readonly KernelOperator VideoSparseAttention = new("VideoSparseAttention",
        new[] { "q", "k", "v", "gate", "frames", "height", "width", "sparsity" }, 1, new[] { "num_heads" });

    /// <summary>The head sizes and element types <see cref="VideoSparseAttention"/> runs; other shapes keep the reference composition.</summary>
    public static bool VideoSparseAttentionSupports(DType type, int headDim) =>
        (type == DType.Float16 || type == DType.BFloat16) && (headDim == 64 || headDim == 128);

    public static IReadOnlyList<KernelOperator> All { get; } =
        new[] { FusedLayerNorm, GatedResidual, ResidualLayerNorm, RmsNormRotary, Linear, ChannelRmsNorm, ChannelsLastRmsNorm, VideoSparseAttention };
}
