namespace FastVideo.Onnx.Export.Modeling.Layers;

/// <summary>
/// torch.nn.LayerNorm over the last axis. With <paramref name="float32"/> it is Diffusers' FP32LayerNorm: the input
/// (and the affine weights) are upcast to float32 and the result cast back to the input's type.
/// </summary>
internal sealed class LayerNorm : Module
{
    readonly double _eps;
    readonly bool _float32;
    readonly int _dim;
    public Parameter? Weight { get; }
    public Parameter? Bias { get; }
    public double Eps => _eps;
    public int Size => _dim;

    public LayerNorm(int dim, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true, bool float32 = false)
    {
        _eps = eps;
        _float32 = float32;
        _dim = dim;
        if (elementwiseAffine)
        {
            Weight = Param("weight", dim);
            Bias = bias ? Param("bias", dim) : null;
        }
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        if (!_float32) return ops.LayerNorm(x, _dim, Weight, Bias, _eps);
        return ops.ModulatedLayerNorm(x, _dim, Weight, Bias, _eps, default, default);
    }

    /// <summary>
    /// A residual update <c>x + gate·y</c> and this norm of the result (with modulation when scale/shift are given),
    /// in one step; returns the updated residual and the normed value.
    /// </summary>
    public (T Residual, T Normed) ForwardAfterResidual<T>(ITensorOps<T> ops, T x, T y, T? gate, T? scale = default, T? shift = default)
    {
        using var _ = Enter(ops);
        if (!_float32) throw new InvalidOperationException("fused residual norms run in float32 (FP32LayerNorm)");
        return ops.ResidualLayerNorm(x, y, gate, _dim, Weight, Bias, _eps, scale, shift);
    }

    /// <summary>The float32 norm followed by adaLN modulation: <c>norm(x)·(1 + scale) + shift</c>, cast back to x's type.</summary>
    public T Forward<T>(ITensorOps<T> ops, T x, T scale, T shift)
    {
        using var _ = Enter(ops);
        if (!_float32) throw new InvalidOperationException("modulated norms run in float32 (FP32LayerNorm)");
        return ops.ModulatedLayerNorm(x, _dim, Weight, Bias, _eps, scale, shift);
    }
}
