using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Modeling;

/// <summary>
/// The definitions of the compound operators of <see cref="ITensorOps{T}"/> in base operators: what a fused kernel must
/// compute. Backends without a fused kernel call these.
/// </summary>
public static class FusedOps
{
    public static T ModulatedLayerNorm<T>(ITensorOps<T> ops, T x, long size, Parameter? weight, Parameter? bias, double eps, T? scale, T? shift)
    {
        var type = ops.TypeOf(x);
        var y = ops.LayerNorm(ops.Cast(x, DType.Float32), size, weight, bias, eps);
        if (scale is not null) y = ops.Mul(y, ops.Add(ops.Scalar(1, DType.Float32), scale));
        if (shift is not null) y = ops.Add(y, shift);
        return ops.Cast(y, type);
    }

    public static T GatedResidual<T>(ITensorOps<T> ops, T x, T y, Parameter? bias, T? gate)
    {
        var type = ops.TypeOf(x);
        if (bias is not null) y = ops.Add(y, ops.Cast(ops.Weight(bias), ops.TypeOf(y)));
        if (gate is null) return ops.Add(x, y);
        return ops.Cast(ops.Add(ops.Cast(x, DType.Float32), ops.Mul(ops.Cast(y, DType.Float32), gate)), type);
    }

    public static (T, T) ResidualLayerNorm<T>(ITensorOps<T> ops, T x, T y, Parameter? bias, T? gate, long size, Parameter? weight,
        Parameter? normBias, double eps, T? scale, T? shift)
    {
        var h = ops.GatedResidual(x, y, bias, gate);
        return (h, ops.ModulatedLayerNorm(h, size, weight, normBias, eps, scale, shift));
    }

    public static T RmsNormRotary<T>(ITensorOps<T> ops, T y, Parameter? bias, long size, Parameter weight, double eps, (T Cos, T Sin)? rotary, int heads)
    {
        if (bias is not null) y = ops.Add(y, ops.Cast(ops.Weight(bias), ops.TypeOf(y)));
        y = ops.RmsNorm(y, size, weight, eps);
        return rotary is var (cos, sin) ? ops.Rotary(y, cos, sin, heads, interleaved: true) : y;
    }

    public static T LinearGelu<T>(ITensorOps<T> ops, T x, Parameter weight, Parameter bias, bool tanhApproximation) =>
        ops.BiasGelu(ops.Linear(x, weight, null), bias, tanhApproximation);

    public static T BiasGelu<T>(ITensorOps<T> ops, T x, Parameter bias, bool tanhApproximation) =>
        ops.Gelu(ops.Add(x, ops.Cast(ops.Weight(bias), ops.TypeOf(x))), tanhApproximation);
}
