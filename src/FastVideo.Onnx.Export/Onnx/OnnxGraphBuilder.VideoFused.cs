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
    /// Write fused channel norms channels-last: <c>Transpose → com.fastvideo::ChannelsLastRmsNorm → Transpose</c>. On
    /// the CUDA provider with channels-last convolutions (<c>prefer_nhwc</c>), ONNX Runtime's transpose optimiser cancels
    /// these transposes against the ones it puts around each convolution, so activations stay channels-last between
    /// convolutions instead of being converted back and forth around every norm.
    /// </summary>
    public bool ChannelsLastNorms { get; init; }

    /// <summary>
    /// Fused: <c>com.fastvideo::ChannelRmsNorm(x, gamma)</c> with x [B, C, *spatial] in the compute type and gamma the
    /// checkpoint's [C, 1, ...] weight in float32 (C values; for a float32 export the very initializer the portable graph
    /// uses); attributes scale, epsilon (float) and silu (0/1). With <see cref="ChannelsLastNorms"/>, the same attributes
    /// on <c>ChannelsLastRmsNorm</c> over x transposed to [B, *spatial, C].
    /// </summary>
    public OnnxValue ChannelRmsNorm(OnnxValue x, Parameter gamma, double scale, double eps, bool silu)
    {
        if (!UseFusedKernels) return VideoFusedOps.ChannelRmsNorm(this, x, gamma, scale, eps, silu);
        var attributes = new[] { Attr("scale", (float)scale), Attr("epsilon", (float)eps), Attr("silu", silu ? 1 : 0) };
        if (!ChannelsLastNorms)
            return Node("ChannelRmsNorm", new[] { x, WeightAs(gamma, DType.Float32) }, x.DType, KernelDomain, attributes);
        int rank = gamma.Shape.Length + 1;  // gamma is [C, 1, ...] with one 1 per spatial dim of x
        int[] toLast = new[] { 0 }.Concat(Enumerable.Range(2, rank - 2)).Append(1).ToArray();
        int[] toFirst = new[] { 0, rank - 1 }.Concat(Enumerable.Range(1, rank - 2)).ToArray();
        var normed = Node("ChannelsLastRmsNorm", new[] { Transpose(x, toLast), WeightAs(gamma, DType.Float32) }, x.DType, KernelDomain, attributes);
        return Transpose(normed, toFirst);
    }
}
