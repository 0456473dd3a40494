namespace FastVideo.Onnx.Export.Modeling.Layers;

/// <summary>Diffusers' TimestepEmbedding: linear_1, SiLU, linear_2.</summary>
internal sealed class TimestepEmbedding : Module
{
    public Linear Linear1 { get; }
    public Linear Linear2 { get; }

    public TimestepEmbedding(int inChannels, int embedDim)
    {
        Linear1 = Add("linear_1", new Linear(inChannels, embedDim));
        Linear2 = Add("linear_2", new Linear(embedDim, embedDim));
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        return Linear2.Forward(ops, ops.Silu(Linear1.Forward(ops, x)));
    }
}
