using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Onnx;

/// <summary>
/// The video compound operators: their standard ONNX composition, or with <see cref="UseFusedKernels"/> one node of the
/// <see cref="KernelDomain"/> library (native/fastvideo_kernels/src/channel_rms_norm.cu).
/// </summary>
public sealed partial class OnnxGraphBuilder
{
    /// <summary>
    /// Fused: <c>com.fastvideo::ChannelRmsNorm(x, gamma)</c> with x [B, C, *spatial] in the compute type and gamma the
    /// checkpoint's [C, 1, ...] weight in float32 (C values; for a float32 export the very initializer the portable graph
    /// uses); attributes scale, epsilon (float) and silu (0/1).
    /// </summary>
    public OnnxValue ChannelRmsNorm(OnnxValue x, Parameter gamma, double scale, double eps, bool silu)
    {
        if (!UseFusedKernels) return VideoFusedOps.ChannelRmsNorm(this, x, gamma, scale, eps, silu);
        return Node("ChannelRmsNorm", new[] { x, WeightAs(gamma, DType.Float32) }, x.DType, KernelDomain,
            new[] { Attr("scale", (float)scale), Attr("epsilon", (float)eps), Attr("silu", silu ? 1 : 0) });
    }
}
