namespace FastVideo.Onnx.Export.Modeling.Layers;

/// <summary>
/// Diffusers' FeedForward with a GELU activation module: <c>net.0.proj</c> (Linear dim -> inner, then GELU),
/// <c>net.1</c> dropout (identity at inference), <c>net.2</c> (Linear inner -> out).
/// </summary>
internal sealed class FeedForward : Module
{
    readonly bool _tanh;
    public Linear Proj { get; }
    public Linear Out { get; }

    public FeedForward(int dim, int innerDim, int? outDim = null, bool tanhApproximation = true)
    {
        _tanh = tanhApproximation;
        var net = Add("net", new Container());
        Proj = net.Child("0", new Container()).Child("proj", new Linear(dim, innerDim));
        Out = net.Child("2", new Linear(innerDim, outDim ?? dim));
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        return Out.Forward(ops, Hidden(ops, x));
    }

    /// <summary>The layer as a residual update: <c>residual + gate·ff(x)</c> in float32 (Diffusers' DiT blocks).</summary>
    public T ForwardResidual<T>(ITensorOps<T> ops, T x, T residual, T gate)
    {
        using var _ = Enter(ops);
        return ops.GatedResidual(residual, ops.Linear(Hidden(ops, x), Out.Weight, Out.Bias), gate);
    }

    T Hidden<T>(ITensorOps<T> ops, T x) => ops.LinearGelu(x, Proj.Weight, Proj.Bias!, _tanh);
}
