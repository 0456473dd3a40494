namespace FastVideo.Onnx.Export.Modeling.Layers;

/// <summary>torch.nn.RMSNorm over the last axis (and T5's layer norm, which is the same computation).</summary>
internal sealed class RmsNorm : Module
{
    readonly double _eps;
    readonly int _dim;
    public Parameter? Weight { get; }
    public double Eps => _eps;
    public int Size => _dim;

    public RmsNorm(int dim, double eps, bool elementwiseAffine = true)
    {
        _eps = eps;
        _dim = dim;
        Weight = elementwiseAffine ? Param("weight", dim) : null;
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        return ops.RmsNorm(x, _dim, Weight, _eps);
    }
}
