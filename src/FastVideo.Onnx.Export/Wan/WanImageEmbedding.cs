using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>Diffusers' WanImageEmbedding: FP32LayerNorm, FeedForward (exact GELU, mult 1), FP32LayerNorm.</summary>
internal sealed class WanImageEmbedding : Module
{
    public LayerNorm Norm1 { get; }
    public FeedForward Ff { get; }
    public LayerNorm Norm2 { get; }

    public WanImageEmbedding(int inFeatures, int outFeatures)
    {
        Norm1 = Add("norm1", new LayerNorm(inFeatures, float32: true));
        Ff = Add("ff", new FeedForward(inFeatures, inFeatures, outFeatures, tanhApproximation: false));
        Norm2 = Add("norm2", new LayerNorm(outFeatures, float32: true));
    }

    public T Forward<T>(ITensorOps<T> ops, T image)
    {
        using var _ = Enter(ops);
        return Norm2.Forward(ops, Ff.Forward(ops, Norm1.Forward(ops, image)));
    }
}
