namespace FastVideo.Onnx.Export.Modeling.Layers;

/// <summary>torch.nn.Linear: weight [out, in], optional bias [out].</summary>
internal sealed class Linear : Module
{
    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = Param("weight", outFeatures, inFeatures);
        Bias = bias ? Param("bias", outFeatures) : null;
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        return ops.Linear(x, Weight, Bias);
    }
}
