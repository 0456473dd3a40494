using System.Text.Json;
using System.Text.Json.Serialization;
using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Core.Models;

/// <summary>
/// <c>fastvideo_onnx.json</c> at the top of a converted model folder: marks the folder as converted and lists what
/// each component became. The rest of the folder keeps the Diffusers layout (model_index.json, one folder per
/// component), with ONNX graphs where the source had weights.
/// </summary>
public sealed record ConvertedModel(
    [property: JsonPropertyName("pipeline")] string Pipeline,
    [property: JsonPropertyName("components")] IReadOnlyDictionary<string, ConvertedComponent> Components)
{
    public const string FileName = "fastvideo_onnx.json";
    public const string Format = "fastvideo-onnx/1";
    public static readonly string ToolVersion = typeof(ConvertedModel).Assembly.GetName().Version?.ToString(3) ?? "0";

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    [JsonPropertyName("format")] public string FormatName { get; init; } = Format;
    [JsonPropertyName("tool_version")] public string Version { get; init; } = ToolVersion;
    [JsonPropertyName("created_utc")] public string? CreatedUtc { get; init; }

    public static bool IsConverted(string folder) => File.Exists(Path.Combine(folder, FileName));

    public void Save(string folder) => File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, JsonOptions));

    public static ConvertedModel Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new ModelFormatException(folder, "model folder not found");
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            string hint = File.Exists(Path.Combine(folder, ModelIndex.FileName))
                ? $"a Diffusers model folder that was never converted; convert it first: fastvideo-onnx convert {folder} --output {folder.TrimEnd('/', '\\')}-onnx"
                : "not a converted model folder (no fastvideo_onnx.json) and not a Diffusers model folder (no model_index.json)";
            throw new ModelFormatException(folder, hint);
        }
        try
        {
            return JsonSerializer.Deserialize<ConvertedModel>(File.ReadAllText(path), JsonOptions) ?? throw new ModelFormatException(path, "empty file");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"not valid ({e.Message.Split('\n')[0]})", e);
        }
    }
}

/// <summary>What one component of a converted folder is: exported graphs (with their manifest) or a copied folder.</summary>
public sealed record ConvertedComponent(
    [property: JsonPropertyName("class_name")] string ClassName,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("precision")] string? Precision,
    [property: JsonPropertyName("bytes")] long Bytes)
{
    public const string Exported = "onnx";
    public const string Copied = "copied";
}
