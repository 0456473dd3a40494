using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Clip;

/// <summary>
/// The fields of a transformers CLIPVisionConfig (config.json of a CLIPVisionModel). Shape fields are required:
/// a missing one is reported by name rather than replaced by transformers' ViT-B/32 defaults, which would only fail
/// later as a confusing shape mismatch.
/// </summary>
internal sealed record ClipVisionConfig
{
    public int HiddenSize { get; init; }
    public int IntermediateSize { get; init; }
    public int NumHiddenLayers { get; init; }
    public int NumAttentionHeads { get; init; }
    public int ImageSize { get; init; }
    public int PatchSize { get; init; }
    public int NumChannels { get; init; } = 3;
    public double LayerNormEps { get; init; } = 1e-5;
    /// <summary>The MLP's activation (<c>hidden_act</c>): quick_gelu in OpenAI CLIP, exact gelu in Wan2.1's OpenCLIP ViT-H/14.</summary>
    public Activation HiddenAct { get; init; } = Activation.QuickGelu;

    public int NumPatches => (ImageSize / PatchSize) * (ImageSize / PatchSize);
    public int NumPositions => NumPatches + 1;
    public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <summary>
    /// The fields transformers' CLIPVisionConfig and CLIPVisionModel read: those above, the ones that only act in
    /// training (dropout, initialisation) or in CLIPVisionModelWithProjection (<c>projection_dim</c>), and
    /// PretrainedConfig's <c>architectures</c>, <c>dtype</c> and <c>model_type</c>.
    /// </summary>
    public static readonly IReadOnlyCollection<string> Fields = new[]
    {
        "hidden_size", "intermediate_size", "projection_dim", "num_hidden_layers", "num_attention_heads", "num_channels", "image_size",
        "patch_size", "hidden_act", "layer_norm_eps", "attention_dropout", "dropout", "initializer_range", "initializer_factor",
        "architectures", "dtype", "torch_dtype", "model_type",
    };

    public static ClipVisionConfig FromJson(JsonConfig json)
    {
        string act = json.GetString("hidden_act", "quick_gelu");
        if (!Activations.TryParse(act, out var activation))
            throw new ModelFormatException(json.Path, $"field 'hidden_act' is '{act}'; supported: {Activations.SupportedNames}");
        var c = new ClipVisionConfig
        {
            HiddenSize = json.GetInt("hidden_size"),
            IntermediateSize = json.GetInt("intermediate_size"),
            NumHiddenLayers = json.GetInt("num_hidden_layers"),
            NumAttentionHeads = json.GetInt("num_attention_heads"),
            ImageSize = json.GetInt("image_size"),
            PatchSize = json.GetInt("patch_size"),
            NumChannels = json.GetInt("num_channels", 3),
            LayerNormEps = json.GetDouble("layer_norm_eps", 1e-5),
            HiddenAct = activation,
        };
        void Check(bool ok, string field, string problem)
        {
            if (!ok) throw new ModelFormatException(json.Path, $"field '{field}' {problem}");
        }
        Check(c.HiddenSize > 0, "hidden_size", "must be positive");
        Check(c.IntermediateSize > 0, "intermediate_size", "must be positive");
        Check(c.NumHiddenLayers > 0, "num_hidden_layers", "must be positive");
        Check(c.NumAttentionHeads > 0 && c.HiddenSize % c.NumAttentionHeads == 0, "num_attention_heads", "must be positive and divide hidden_size");
        Check(c.PatchSize > 0, "patch_size", "must be positive");
        Check(c.ImageSize >= c.PatchSize, "image_size", $"must be at least patch_size ({c.PatchSize})");
        Check(c.NumChannels > 0, "num_channels", "must be positive");
        return c;
    }
}
