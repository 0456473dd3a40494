namespace FastVideo.Onnx.Export.Modeling.Layers;

/// <summary>Diffusers' PixArtAlphaTextProjection: linear_1, GELU (tanh), linear_2.</summary>
internal sealed class PixArtAlphaTextProjection : Module
{
    public Linear Linear1 { get; }
    public Linear Linear2 { get; }

    public PixArtAlphaTextProjection(int inFeatures, int hiddenSize, int? outFeatures = null)
    {
        Linear1 = Add("linear_1", new Linear(inFeatures, hiddenSize));
        Linear2 = Add("linear_2", new Linear(hiddenSize, outFeatures ?? hiddenSize));
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        return Linear2.Forward(ops, ops.Gelu(Linear1.Forward(ops, x), tanhApproximation: true));
    }
}
