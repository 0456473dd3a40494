using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Umt5;

/// <summary>
/// The encoder stack that transformers' T5EncoderModel and UMT5EncoderModel share: token embedding, <c>num_layers</c>
/// blocks, final RMS norm. The two differ only in where the relative position bias lives (<see cref="PositionBiasPolicy"/>).
/// Returns <c>last_hidden_state</c>; the pipeline, not the encoder, trims it to the real token count.
/// </summary>
internal abstract class T5FamilyEncoder : ModelDefinition
{
    public const string SharedKey = "shared.weight";
    public const string TiedKey = "encoder.embed_tokens.weight";

    readonly bool _embeddingFromTiedKey;

    // encoder.embed_tokens is the same tensor as shared (tied); checkpoints may carry both.
    protected override bool IsIgnorableKey(string key) => !_embeddingFromTiedKey && key == TiedKey;

    public Umt5Config Config { get; }
    public PositionBiasPolicy PositionBias { get; }
    public Embedding Shared { get; }
    public ModuleList<Umt5Block> Blocks { get; }
    public RmsNorm FinalLayerNorm { get; }

    /// <param name="embeddingFromTiedKey">
    /// Read the token embedding from <c>encoder.embed_tokens.weight</c>, for a checkpoint saved without <c>shared.weight</c>
    /// (transformers ties the two, so either one defines the model).
    /// </param>
    protected T5FamilyEncoder(Umt5Config config, PositionBiasPolicy positionBias, bool embeddingFromTiedKey)
    {
        Config = config;
        PositionBias = positionBias;
        _embeddingFromTiedKey = embeddingFromTiedKey;
        var encoder = Add("encoder", new Container());
        var embedding = new Embedding(config.VocabSize, config.DModel);
        Shared = embeddingFromTiedKey ? encoder.Child("embed_tokens", embedding) : Add("shared", embedding);
        Blocks = encoder.Child("block", new ModuleList<Umt5Block>(
            Enumerable.Range(0, config.NumLayers).Select(i => new Umt5Block(config, positionBias.OwnsBias(i)))));
        FinalLayerNorm = encoder.Child("final_layer_norm", new RmsNorm(config.DModel, config.LayerNormEpsilon));
        Finish();
    }

    /// <summary>The most negative finite value of <paramref name="type"/> (torch.finfo(dtype).min), the masked keys' bias.</summary>
    public static double MinValue(DType type) => type switch
    {
        DType.Float32 => float.MinValue,
        DType.BFloat16 => -3.3895313892515355e38,
        DType.Float16 => -65504.0,
        _ => throw new NotSupportedException($"T5-family encoders compute in float32 or bfloat16, not {type}"),
    };

    /// <param name="inputIds">int64 [B, L]</param>
    /// <param name="attentionMask">int64 [B, L]: 1 for tokens, 0 for padding</param>
    /// <returns>last_hidden_state, float32 [B, L, d_model]</returns>
    public T Forward<T>(ITensorOps<T> ops, T inputIds, T attentionMask)
    {
        var type = ops.ComputeType;
        var x = ops.Cast(Shared.Forward(ops, inputIds), type);

        T maskBias, buckets;
        using (ops.Scope("encoder/mask"))
        {
            // (1 - mask) * finfo(dtype).min, broadcast over heads and queries: [B, 1, 1, L]
            var keep = ops.Cast(attentionMask, type);
            maskBias = ops.Mul(ops.Sub(ops.Scalar(1, type), keep), ops.Scalar(MinValue(type), type));
            maskBias = ops.Unsqueeze(maskBias, 1, 2);
        }
        // shared by all layers; each layer that owns a table looks up its own bias with it
        buckets = RelativePositionBuckets.Forward(ops, ops.Dim(inputIds, 1), Config.RelativeAttentionNumBuckets, Config.RelativeAttentionMaxDistance);

        T? bias = default;
        foreach (var block in Blocks.Items) (x, bias) = block.Forward(ops, x, buckets, maskBias, bias);
        x = FinalLayerNorm.Forward(ops, x);
        return ops.Cast(x, DType.Float32);
    }
}
