using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Umt5;

/// <summary>
/// The fields of a transformers UMT5Config (config.json of a UMT5EncoderModel) that the encoder needs. The shape fields
/// are required (a config without them is not a UMT5 config worth guessing about); the others take transformers'
/// defaults.
/// </summary>
internal sealed record Umt5Config
{
    public int VocabSize { get; init; }
    public int DModel { get; init; }
    public int DKv { get; init; }
    public int DFf { get; init; }
    public int NumLayers { get; init; }
    public int NumHeads { get; init; }
    public int RelativeAttentionNumBuckets { get; init; } = 32;
    public int RelativeAttentionMaxDistance { get; init; } = 128;
    public double LayerNormEpsilon { get; init; } = 1e-6;
    public bool IsGatedAct { get; init; } = true;
    /// <summary>The feed-forward's activation (transformers' <c>dense_act_fn</c>; UMT5's gated-gelu is gelu_new).</summary>
    public Activation Activation { get; init; } = Activation.GeluTanh;

    public int InnerDim => NumHeads * DKv;

    /// <summary>
    /// The fields transformers' UMT5Config and UMT5EncoderModel read: the shape and activation fields above, the ones
    /// that only act in training or in the decoder (dropout, initialisation, cache, token ids), the activation fields
    /// UMT5Config derives from <c>feed_forward_proj</c>, and PretrainedConfig's <c>architectures</c>, <c>dtype</c> and
    /// <c>model_type</c>.
    /// </summary>
    public static readonly IReadOnlyCollection<string> Fields = new[]
    {
        "vocab_size", "d_model", "d_kv", "d_ff", "num_layers", "num_decoder_layers", "num_heads", "relative_attention_num_buckets",
        "relative_attention_max_distance", "dropout_rate", "classifier_dropout", "layer_norm_epsilon", "initializer_factor", "feed_forward_proj",
        "dense_act_fn", "is_gated_act", "is_encoder_decoder", "is_decoder", "use_cache", "tokenizer_class", "tie_word_embeddings", "pad_token_id",
        "eos_token_id", "decoder_start_token_id", "architectures", "dtype", "torch_dtype", "model_type",
    };

    public static Umt5Config FromJson(JsonConfig json)
    {
        // UMT5Config derives the activation from feed_forward_proj: "gated-gelu" means gated gelu_new, otherwise
        // "[gated-]ACT" names the activation directly.
        string proj = json.GetString("feed_forward_proj", "gated-gelu");
        var parts = proj.Split('-');
        bool gated = parts.Length == 2 && parts[0] == "gated";
        if (!(parts.Length == 1 || gated))
            throw new ModelFormatException(json.Path, $"field 'feed_forward_proj' is '{proj}'; expected 'ACT' or 'gated-ACT'");
        string act = proj == "gated-gelu" ? "gelu_new" : parts[^1];
        if (!Activations.TryParse(act, out var activation))
            throw new ModelFormatException(json.Path, $"field 'feed_forward_proj' activation '{act}' is not supported ({Activations.SupportedNames})");

        var c = new Umt5Config
        {
            VocabSize = json.GetInt("vocab_size"),
            DModel = json.GetInt("d_model"),
            DKv = json.GetInt("d_kv"),
            DFf = json.GetInt("d_ff"),
            NumLayers = json.GetInt("num_layers"),
            NumHeads = json.GetInt("num_heads"),
            RelativeAttentionNumBuckets = json.GetInt("relative_attention_num_buckets", 32),
            RelativeAttentionMaxDistance = json.GetInt("relative_attention_max_distance", 128),
            LayerNormEpsilon = json.GetDouble("layer_norm_epsilon", 1e-6),
            IsGatedAct = gated,
            Activation = activation,
        };
        void Check(bool ok, string field, string problem)
        {
            if (!ok) throw new ModelFormatException(json.Path, $"field '{field}' {problem}");
        }
        Check(c.VocabSize > 0, "vocab_size", "must be positive");
        Check(c.DModel > 0, "d_model", "must be positive");
        Check(c.DKv > 0, "d_kv", "must be positive");
        Check(c.DFf > 0, "d_ff", "must be positive");
        Check(c.NumLayers > 0, "num_layers", "must be positive");
        Check(c.NumHeads > 0, "num_heads", "must be positive");
        // bidirectional buckets: half per direction, and half of those exact, so at least 4 for a log-spaced part
        Check(c.RelativeAttentionNumBuckets >= 4 && c.RelativeAttentionNumBuckets % 2 == 0, "relative_attention_num_buckets", "must be an even number >= 4");
        Check(c.RelativeAttentionMaxDistance > c.RelativeAttentionNumBuckets / 4, "relative_attention_max_distance",
            "must exceed a quarter of relative_attention_num_buckets");
        Check(!json.Has("is_decoder") || !json.GetBool("is_decoder"), "is_decoder", "is true; UMT5EncoderModel is the encoder");
        return c;
    }
}
