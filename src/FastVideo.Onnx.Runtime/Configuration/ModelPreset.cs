using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Runtime.Pipelines;
using Microsoft.Extensions.Configuration;

namespace FastVideo.Onnx.Runtime.Configuration;

/// <summary>
/// What a preset matches: a converted model's pipeline class and transformer shape, and the Wan2.2 fields of its
/// model_index.json (Wan2.2 A14B's experts have Wan2.1-14B's shape; only <c>transformer_2</c> tells them apart). Unset
/// fields match anything.
/// </summary>
public sealed record PresetMatch
{
    public string? Pipeline { get; init; }
    public int? NumLayers { get; init; }
    public int? InnerDim { get; init; }
    public int? InChannels { get; init; }

    /// <summary>The model has a second expert (<c>transformer_2</c> in model_index.json).</summary>
    public bool? TwoExperts { get; init; }

    /// <summary>model_index.json sets <c>expand_timesteps</c> (Wan2.2 TI2V).</summary>
    public bool? ExpandTimesteps { get; init; }

    /// <param name="modelIndex">The folder's model_index.json; without it the Wan2.2 fields count as unset (false).</param>
    public bool Matches(string pipeline, JsonConfig transformer, JsonConfig? modelIndex = null) =>
        (Pipeline is null || Pipeline == pipeline)
        && (NumLayers is null || NumLayers == transformer.GetInt("num_layers", -1))
        && (InnerDim is null || InnerDim == transformer.GetInt("num_attention_heads", 0) * transformer.GetInt("attention_head_dim", 0))
        && (InChannels is null || InChannels == transformer.GetInt("in_channels", -1))
        && (TwoExperts is null || TwoExperts == HasSecondExpert(modelIndex))
        && (ExpandTimesteps is null || ExpandTimesteps == (modelIndex?.GetBool("expand_timesteps", false) ?? false));

    static bool HasSecondExpert(JsonConfig? modelIndex) =>
        modelIndex?.Root["transformer_2"] is System.Text.Json.Nodes.JsonArray entry && entry.Any(v => v is not null);
}

/// <summary>
/// A published model's defaults (FastVideo's presets): a JSON file with a "Preset" section (name, model id, what it
/// matches) and the configuration sections it sets ("Sampling", optionally "Runtime"). It is the first configuration
/// layer; user files, the environment and the command line override it.
/// </summary>
public sealed record ModelPreset(string Name, string ModelId, PresetMatch? Match, string Json)
{
    public SamplingDefaults Sampling
    {
        get
        {
            var config = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Json))).Build();
            return config.GetSection("Sampling").Get<SamplingDefaults>() ?? new SamplingDefaults();
        }
    }
}
