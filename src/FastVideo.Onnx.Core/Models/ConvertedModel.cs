using System.Text.Json;
using System.Text.Json.Serialization;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;

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
        // Reading: a null where the record has no null is an error naming the field; a missing field is left null
        // by the serializer and refused by the manifests' checks. Duplicate fields are refused.
        RespectNullableAnnotations = true,
        AllowDuplicateProperties = false,
        MaxDepth = JsonText.MaxDepth,
    };

    /// <summary>Deserializes a manifest file with one-line errors naming it (shared by the folder's and the components' manifests).</summary>
    internal static T Read<T>(string path) where T : class
    {
        var bytes = JsonText.ReadFile(path);
        using (JsonText.Parse(path, bytes, JsonText.Options(allowTrailingCommas: false))) { }
        try
        {
            return JsonSerializer.Deserialize<T>(bytes.Span, JsonOptions) ?? throw new ModelFormatException(path, "holds null instead of a manifest");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"not a valid manifest ({JsonText.Printable(e.Message, 300)})", e);
        }
    }

    [JsonPropertyName("format")] public string FormatName { get; init; } = Format;
    [JsonPropertyName("tool_version")] public string Version { get; init; } = ToolVersion;
    [JsonPropertyName("created_utc")] public string? CreatedUtc { get; init; }

    public static bool IsConverted(string folder) => File.Exists(Path.Combine(folder, FileName));

    public void Save(string folder) => File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, JsonOptions));

    void Validate(string path)
    {
        ManifestValues.RequirePresent(path, "format", FormatName);
        ManifestValues.RequirePresent(path, "pipeline", Pipeline);
        ManifestValues.RequirePresent(path, "components", Components);
        if (FormatName != Format)
            throw new ModelFormatException(path, $"field 'format' is '{JsonText.Printable(FormatName)}'; this version reads '{Format}' (convert the model again)");
        if (Pipeline.Length == 0) throw new ModelFormatException(path, "field 'pipeline' is empty");
        foreach (var (name, component) in Components)
        {
            ComponentName.Require(path, name);
            string field = $"components.{name}";
            if (component is null) throw new ModelFormatException(path, $"field '{field}' is null");
            ManifestValues.RequirePresent(path, $"{field}.class_name", component.ClassName);
            ManifestValues.RequirePresent(path, $"{field}.kind", component.Kind);
            if (component.ClassName.Length == 0) throw new ModelFormatException(path, $"field '{field}.class_name' is empty");
            if (component.Bytes < 0) throw new ModelFormatException(path, $"field '{field}.bytes' is negative");
            switch (component.Kind)
            {
                case ConvertedComponent.Exported:
                    if (component.Precision is null) throw new ModelFormatException(path, $"field '{field}.precision' is missing (an exported component has one)");
                    ManifestValues.RequirePrecision(path, $"{field}.precision", component.Precision);
                    break;
                case ConvertedComponent.Copied:
                    break;
                default:
                    throw new ModelFormatException(path, $"field '{field}.kind' is '{JsonText.Printable(component.Kind)}', not '{ConvertedComponent.Exported}' or '{ConvertedComponent.Copied}'");
            }
        }
    }

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
        var model = Read<ConvertedModel>(path);
        model.Validate(path);
        return model;
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
