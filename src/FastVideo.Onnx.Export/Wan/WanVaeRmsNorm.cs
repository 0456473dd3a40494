using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' WanRMS_norm (channel first, no bias): <c>normalize(x, dim=1) · sqrt(dim) · gamma</c>, the normalisation in
/// float32 for 16-bit inputs as Diffusers does. gamma is [dim, 1, 1, 1] for videos, [dim, 1, 1] for images.
/// </summary>
public sealed class WanVaeRmsNorm : Module
{
    readonly double _scale;
    public Parameter Gamma { get; }

    public WanVaeRmsNorm(int dim, bool images)
    {
        _scale = Math.Sqrt(dim);
        Gamma = images ? Param("gamma", dim, 1, 1) : Param("gamma", dim, 1, 1, 1);
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        var type = ops.TypeOf(x);
        var normalized = ops.Cast(ops.NormalizeL2(ops.Cast(x, DType.Float32), 1, 1e-12), type);
        // sqrt(dim)·gamma is folded on the [dim, 1, 1(, 1)] weight so the full-size tensor is multiplied once.
        var gain = ops.Mul(ops.Cast(ops.Weight(Gamma), type), ops.Scalar(_scale, type));
        return ops.Mul(normalized, gain);
    }
}
