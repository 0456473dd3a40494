using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Cli.Inspection;

/// <summary>
/// The configuration fields worth showing at a glance, whichever component they belong to: one ordered list of field
/// names (Diffusers and transformers spell the same idea the same way across model families), so a new family's configs
/// are described without a per-class switch.
/// </summary>
public static class ConfigHighlights
{
    /// <summary>Component config files, in the order they are looked for.</summary>
    public static readonly string[] ConfigFiles = { "config.json", "scheduler_config.json", "preprocessor_config.json", "tokenizer_config.json" };

    static readonly string[] Fields =
    {
        // transformers (Diffusers DiT models)
        "num_layers", "num_single_layers", "num_attention_heads", "attention_head_dim", "in_channels", "out_channels", "ffn_dim",
        "text_dim", "image_dim", "patch_size",
        // VAEs
        "z_dim", "latent_channels", "base_dim", "decoder_base_dim", "dim_mult", "num_res_blocks", "is_residual", "scale_factor_spatial",
        "scale_factor_temporal",
        // T5 / UMT5 encoders
        "d_model", "num_heads", "d_ff", "vocab_size",
        // CLIP vision encoders
        "hidden_size", "num_hidden_layers", "intermediate_size", "image_size",
        // schedulers
        "num_train_timesteps", "flow_shift", "shift", "solver_order", "solver_type", "prediction_type",
        // image processors and tokenizers
        "crop_size", "tokenizer_class",
    };

    /// <summary>
    /// model_index.json fields that change what a pipeline class does (Wan2.2: per-token timesteps; two experts switched
    /// at a boundary), shown beside the pipeline class.
    /// </summary>
    static readonly string[] PipelineFields = { "expand_timesteps", "boundary_ratio" };

    /// <summary>The pipeline-level fields of <paramref name="modelIndex"/> that are set (not null, not false).</summary>
    public static IReadOnlyDictionary<string, JsonNode?> OfPipeline(JsonConfig modelIndex) =>
        PipelineFields.Where(f => modelIndex.Has(f) && modelIndex.Root[f]!.ToJsonString() != "false")
            .ToDictionary(f => f, f => (JsonNode?)modelIndex.Root[f]!.DeepClone(), StringComparer.Ordinal);

    /// <summary>The first config file present in <paramref name="folder"/>, or null.</summary>
    public static string? FindConfig(string folder) =>
        ConfigFiles.Select(f => Path.Combine(folder, f)).FirstOrDefault(File.Exists);

    /// <summary>
    /// The highlighted fields present in <paramref name="config"/>, in the list's order, plus <c>inner_dim</c> (heads ×
    /// head dim) where a config gives those two instead of the model width.
    /// </summary>
    public static IReadOnlyDictionary<string, JsonNode?> Of(JsonConfig config)
    {
        var result = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var field in Fields)
            if (config.Has(field)) result[field] = config.Root[field]!.DeepClone();
        if (config.Has("num_attention_heads") && config.Has("attention_head_dim") && !config.Has("inner_dim"))
        {
            try
            {
                result["inner_dim"] = config.GetInt("num_attention_heads") * config.GetInt("attention_head_dim");
            }
            catch (Core.Errors.ModelFormatException)
            {
                // Not integers: shown as they are above, nothing to derive.
            }
        }
        return result;
    }

    /// <summary>"name value, name value": strings bare, arrays and objects as compact JSON.</summary>
    public static string Format(IReadOnlyDictionary<string, JsonNode?> fields) =>
        string.Join(", ", fields.Select(f => $"{f.Key} {Text(f.Value)}"));

    static string Text(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue(out string? s) ? s : value?.ToJsonString() ?? "null";
}
