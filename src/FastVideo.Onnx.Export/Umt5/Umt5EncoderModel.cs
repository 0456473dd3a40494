using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Umt5;

/// <summary>
/// transformers' UMT5EncoderModel (Wan2.1's text encoder): token embedding, <c>num_layers</c> blocks each with its own
/// relative position bias, final RMS norm. Returns <c>last_hidden_state</c>; the pipeline, not the encoder, trims it to
/// the real token count.
/// </summary>
internal sealed class Umt5EncoderModel : ModelDefinition
{
    public const string SharedKey = "shared.weight";
    public const string TiedKey = "encoder.embed_tokens.weight";

    public override string ClassName => "UMT5EncoderModel";

    readonly bool _embeddingFromTiedKey;

    // encoder.embed_tokens is the same tensor as shared (tied); checkpoints may carry both.
    protected override bool IsIgnorableKey(string key) => !_embeddingFromTiedKey && key == TiedKey;

    public Umt5Config Config { get; }
    public Embedding Shared { get; }
    public ModuleList<Umt5Block> Blocks { get; }
    public RmsNorm FinalLayerNorm { get; }

    /// <param name="embeddingFromTiedKey">
    /// Read the token embedding from <c>encoder.embed_tokens.weight</c>, for a checkpoint saved without <c>shared.weight</c>
    /// (transformers ties the two, so either one defines the model).
    /// </param>
    public Umt5EncoderModel(Umt5Config config, bool embeddingFromTiedKey = false)
    {
        Config = config;
        _embeddingFromTiedKey = embeddingFromTiedKey;
        var encoder = Add("encoder", new Container());
        var embedding = new Embedding(config.VocabSize, config.DModel);
        Shared = embeddingFromTiedKey ? encoder.Child("embed_tokens", embedding) : Add("shared", embedding);
        Blocks = encoder.Child("block", new ModuleList<Umt5Block>(Enumerable.Range(0, config.NumLayers).Select(_ => new Umt5Block(config))));
        FinalLayerNorm = encoder.Child("final_layer_norm", new RmsNorm(config.DModel, config.LayerNormEpsilon));
        Finish();
    }

    /// <summary>The most negative finite value of <paramref name="type"/> (torch.finfo(dtype).min), the masked keys' bias.</summary>
    public static double MinValue(DType type) => type switch
    {
        DType.Float32 => float.MinValue,
        DType.BFloat16 => -3.3895313892515355e38,
        DType.Float16 => -65504.0,
        _ => throw new NotSupportedException($"UMT5 computes in float32 or bfloat16, not {type}"),
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
        // shared by all layers; each layer looks up its own bias table with it
        buckets = RelativePositionBuckets.Forward(ops, ops.Dim(inputIds, 1), Config.RelativeAttentionNumBuckets, Config.RelativeAttentionMaxDistance);

        foreach (var block in Blocks.Items) x = block.Forward(ops, x, buckets, maskBias);
        x = FinalLayerNorm.Forward(ops, x);
        return ops.Cast(x, DType.Float32);
    }
}
