using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Umt5;

/// <summary>
/// The encoder self-attention of the T5 family (transformers' T5Attention / UMT5Attention): q/k/v/o projections
/// without bias, scores NOT scaled by 1/sqrt(d_kv) (Mesh TensorFlow folds that into the initialisation), plus the
/// relative position bias and the padding mask's bias. Whether this layer owns a bias table is the encoder's
/// <see cref="PositionBiasPolicy"/>; a layer without one attends with the bias an earlier layer computed.
/// </summary>
internal sealed class Umt5Attention : Module
{
    readonly int _heads;
    public Linear Q { get; }
    public Linear K { get; }
    public Linear V { get; }
    public Linear O { get; }
    public Embedding? RelativeAttentionBias { get; }

    public Umt5Attention(Umt5Config config, bool ownsPositionBias = true)
    {
        _heads = config.NumHeads;
        Q = Add("q", new Linear(config.DModel, config.InnerDim, bias: false));
        K = Add("k", new Linear(config.DModel, config.InnerDim, bias: false));
        V = Add("v", new Linear(config.DModel, config.InnerDim, bias: false));
        O = Add("o", new Linear(config.InnerDim, config.DModel, bias: false));
        if (ownsPositionBias)
            RelativeAttentionBias = Add("relative_attention_bias", new Embedding(config.RelativeAttentionNumBuckets, config.NumHeads));
    }

    /// <param name="x">[B, L, d_model]</param>
    /// <param name="buckets">int64 [L, L] relative position buckets (<see cref="RelativePositionBuckets"/>)</param>
    /// <param name="maskBias">[B, 1, 1, L]: 0 for kept keys, the dtype's minimum for padding</param>
    /// <param name="sharedBias">The position bias (mask included) of an earlier layer; used when this layer owns no table.</param>
    /// <returns>The attention output projected by o, and the position bias it used (for the layers that reuse it).</returns>
    public (T Output, T PositionBias) Forward<T>(ITensorOps<T> ops, T x, T buckets, T maskBias, T? sharedBias)
    {
        using var _ = Enter(ops);
        T bias;
        if (RelativeAttentionBias is not null)
        {
            // compute_bias: [L, L, heads] -> [1, heads, L, L], then position_bias + mask as transformers adds them
            bias = RelativeAttentionBias.Forward(ops, buckets);
            bias = ops.Unsqueeze(ops.Transpose(bias, 2, 0, 1), 0);
            bias = ops.Add(bias, maskBias);
        }
        else bias = sharedBias ?? throw new InvalidOperationException($"{Path} owns no relative position bias and was given none");
        var output = ops.Attention(Q.Forward(ops, x), K.Forward(ops, x), V.Forward(ops, x), _heads, scale: 1.0, bias: bias);
        return (O.Forward(ops, output), bias);
    }
}
