using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Umt5;

/// <summary>
/// One encoder block of the T5 family (<c>encoder.block.N</c>): <c>layer.0</c> is pre-norm self-attention with a
/// residual, <c>layer.1</c> the pre-norm feed-forward with a residual. T5's layer norm is an RMS norm (no mean, no bias)
/// whose statistics are taken in float32.
/// </summary>
internal sealed class Umt5Block : Module
{
    public RmsNorm AttentionNorm { get; }
    public Umt5Attention SelfAttention { get; }
    public RmsNorm FeedForwardNorm { get; }
    public Umt5FeedForward FeedForward { get; }

    public Umt5Block(Umt5Config config, bool ownsPositionBias = true)
    {
        var layers = Add("layer", new Container());
        var attention = layers.Child("0", new Container());
        SelfAttention = attention.Child("SelfAttention", new Umt5Attention(config, ownsPositionBias));
        AttentionNorm = attention.Child("layer_norm", new RmsNorm(config.DModel, config.LayerNormEpsilon));
        var ff = layers.Child("1", new Container());
        FeedForward = ff.Child("DenseReluDense", new Umt5FeedForward(config));
        FeedForwardNorm = ff.Child("layer_norm", new RmsNorm(config.DModel, config.LayerNormEpsilon));
    }

    /// <returns>The block's output and the position bias its attention used.</returns>
    public (T Output, T PositionBias) Forward<T>(ITensorOps<T> ops, T x, T buckets, T maskBias, T? sharedBias)
    {
        using var _ = Enter(ops);
        var (attended, bias) = SelfAttention.Forward(ops, AttentionNorm.Forward(ops, x), buckets, maskBias, sharedBias);
        x = ops.Add(x, attended);
        return (ops.Add(x, FeedForward.Forward(ops, FeedForwardNorm.Forward(ops, x))), bias);
    }
}
