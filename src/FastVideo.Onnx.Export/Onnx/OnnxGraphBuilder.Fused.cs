using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using Onnx;

namespace FastVideo.Onnx.Export.Onnx;

/// <summary>
/// The compound operators: standard ONNX compositions by default, or single nodes of the <see cref="KernelDomain"/>
/// custom-operator library (native/fastvideo_kernels, CUDA) when <see cref="UseFusedKernels"/> is set. The runtime loads
/// a fused graph only where that library is available, and falls back to the portable graph otherwise.
/// </summary>
public sealed partial class OnnxGraphBuilder
{
    public const string KernelDomain = "com.fastvideo";

    /// <summary>Emit compound operators as fused custom-operator nodes (CUDA only).</summary>
    public bool UseFusedKernels { get; init; }

    public OnnxValue ModulatedLayerNorm(OnnxValue x, long size, Parameter? weight, Parameter? bias, double eps, OnnxValue? scale, OnnxValue? shift)
    {
        if (!UseFusedKernels) return FusedOps.ModulatedLayerNorm(this, x, size, weight, bias, eps, scale, shift);
        return Node("FusedLayerNorm", new[]
        {
            x, weight is null ? null : WeightAs(weight, DType.Float32), bias is null ? null : WeightAs(bias, DType.Float32),
            scale is null ? null : Cast(scale, DType.Float32), shift is null ? null : Cast(shift, DType.Float32),
        }, x.DType, KernelDomain, new[] { Attr("epsilon", (float)eps) });
    }

    public OnnxValue GatedResidual(OnnxValue x, OnnxValue y, Parameter? bias, OnnxValue? gate)
    {
        if (!UseFusedKernels) return FusedOps.GatedResidual(this, x, y, bias, gate);
        return Node("GatedResidual", new[] { x, Cast(y, x.DType), bias is null ? null : WeightAs(bias, x.DType), gate is null ? null : Cast(gate, DType.Float32) },
            x.DType, KernelDomain);
    }

    public (OnnxValue, OnnxValue) ResidualLayerNorm(OnnxValue x, OnnxValue y, Parameter? bias, OnnxValue? gate, long size, Parameter? weight,
        Parameter? normBias, double eps, OnnxValue? scale, OnnxValue? shift)
    {
        if (!UseFusedKernels) return FusedOps.ResidualLayerNorm(this, x, y, bias, gate, size, weight, normBias, eps, scale, shift);
        var outputs = NodeMulti("ResidualLayerNorm", new[]
        {
            x, Cast(y, x.DType), bias is null ? null : WeightAs(bias, x.DType), gate is null ? null : Cast(gate, DType.Float32),
            weight is null ? null : WeightAs(weight, DType.Float32), normBias is null ? null : WeightAs(normBias, DType.Float32),
            scale is null ? null : Cast(scale, DType.Float32), shift is null ? null : Cast(shift, DType.Float32),
        }, new[] { x.DType, x.DType }, KernelDomain, new[] { Attr("epsilon", (float)eps) });
        return (outputs[0], outputs[1]);
    }

    public OnnxValue RmsNormRotary(OnnxValue y, Parameter? bias, long size, Parameter weight, double eps, (OnnxValue Cos, OnnxValue Sin)? rotary, int heads)
    {
        if (!UseFusedKernels) return FusedOps.RmsNormRotary(this, y, bias, size, weight, eps, rotary, heads);
        return Node("RmsNormRotary", new[]
        {
            y, bias is null ? null : WeightAs(bias, y.DType), WeightAs(weight, y.DType),
            rotary is var (c, _) ? Cast(c, DType.Float32) : null, rotary is var (_, s) ? Cast(s, DType.Float32) : null,
        }, y.DType, KernelDomain, new[] { Attr("epsilon", (float)eps), Attr("num_heads", heads) });
    }

    public OnnxValue LinearGelu(OnnxValue x, Parameter weight, Parameter bias, bool tanhApproximation)
    {
        if (!UseFusedKernels || !tanhApproximation) return FusedOps.LinearGelu(this, x, weight, bias, tanhApproximation);
        return FusedLinear(x, weight, bias, "gelu_tanh");
    }

    /// <summary>One cuBLASLt matmul with the bias (and activation) in its epilogue.</summary>
    OnnxValue FusedLinear(OnnxValue x, Parameter weight, Parameter? bias, string activation) =>
        Node("Linear", new[] { x, WeightAs(weight, x.DType, transposed: true), bias is null ? null : WeightAs(bias, x.DType) }, x.DType, KernelDomain,
            new[] { Attr("activation", activation) });

    // ONNX Runtime's contrib kernels fuse the bias into the activation on every provider.
    public OnnxValue BiasGelu(OnnxValue x, Parameter bias, bool tanhApproximation) =>
        tanhApproximation
            ? Node("FastGelu", new[] { x, WeightAs(bias, x.DType) }, x.DType, MicrosoftDomain)
            : Node("BiasGelu", new[] { x, WeightAs(bias, x.DType) }, x.DType, MicrosoftDomain);
}
