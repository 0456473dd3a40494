using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Umt5;

/// <summary>
/// transformers' UMT5Attention in the encoder: q/k/v/o projections without bias, scores NOT scaled by 1/sqrt(d_kv)
/// (Mesh TensorFlow folds that into the initialisation), plus a relative position bias that every UMT5 layer owns
/// (T5 keeps one in the first layer only) and the padding mask's bias.
/// </summary>
internal sealed class Umt5Attention : Module
{
    readonly int _heads;
    public Linear Q { get; }
    public Linear K { get; }
    public Linear V { get; }
    public Linear O { get; }
    public Embedding RelativeAttentionBias { get; }

    public Umt5Attention(Umt5Config config)
    {
        _heads = config.NumHeads;
        Q = Add("q", new Linear(config.DModel, config.InnerDim, bias: false));
        K = Add("k", new Linear(config.DModel, config.InnerDim, bias: false));
        V = Add("v", new Linear(config.DModel, config.InnerDim, bias: false));
        O = Add("o", new Linear(config.InnerDim, config.DModel, bias: false));
        RelativeAttentionBias = Add("relative_attention_bias", new Embedding(config.RelativeAttentionNumBuckets, config.NumHeads));
    }

    /// <param name="x">[B, L, d_model]</param>
    /// <param name="buckets">int64 [L, L] relative position buckets (<see cref="RelativePositionBuckets"/>)</param>
    /// <param name="maskBias">[B, 1, 1, L]: 0 for kept keys, the dtype's minimum for padding</param>
    public T Forward<T>(ITensorOps<T> ops, T x, T buckets, T maskBias)
    {
        using var _ = Enter(ops);
        // compute_bias: [L, L, heads] -> [1, heads, L, L], then position_bias + mask as transformers adds them
        var bias = RelativeAttentionBias.Forward(ops, buckets);
        bias = ops.Unsqueeze(ops.Transpose(bias, 2, 0, 1), 0);
        bias = ops.Add(bias, maskBias);
        var output = ops.Attention(Q.Forward(ops, x), K.Forward(ops, x), V.Forward(ops, x), _heads, scale: 1.0, bias: bias);
        return O.Forward(ops, output);
    }
}
