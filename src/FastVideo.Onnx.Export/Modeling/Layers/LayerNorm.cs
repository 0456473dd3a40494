using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Modeling.Layers;

/// <summary>
/// torch.nn.LayerNorm over the last axis. With <paramref name="float32"/> it is Diffusers' FP32LayerNorm: the input
/// (and the affine weights) are upcast to float32 and the result cast back to the input's type.
/// </summary>
public sealed class LayerNorm : Module
{
    readonly double _eps;
    readonly bool _float32;
    readonly int _dim;
    public Parameter? Weight { get; }
    public Parameter? Bias { get; }

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
        var type = ops.TypeOf(x);
        return ops.Cast(ops.LayerNorm(ops.Cast(x, DType.Float32), _dim, Weight, Bias, _eps), type);
    }
}
