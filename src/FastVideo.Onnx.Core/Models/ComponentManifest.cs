using System.Text.Json;
using System.Text.Json.Serialization;
using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Core.Models;

/// <summary>One graph input or output as recorded in a manifest: name, element type, and dims (numbers, or names of dynamic axes).</summary>
public sealed record TensorSignature(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("dtype")] string DType,
    [property: JsonPropertyName("shape")] IReadOnlyList<JsonElement> Shape);

/// <summary>One ONNX file of a converted component.</summary>
public sealed record GraphManifest(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("data_file")] string? DataFile,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("inputs")] IReadOnlyList<TensorSignature> Inputs,
    [property: JsonPropertyName("outputs")] IReadOnlyList<TensorSignature> Outputs);

/// <summary>
/// <c>manifest.json</c> of a converted component: what was exported, at which precision and opset, from which source
/// (a fingerprint of its config and weight headers), by which tool version. The runtime reads it to find the graphs.
/// </summary>
public sealed record ComponentManifest(
    [property: JsonPropertyName("component")] string Component,
    [property: JsonPropertyName("class_name")] string ClassName,
    [property: JsonPropertyName("precision")] string Precision,
    [property: JsonPropertyName("opset")] int Opset,
    [property: JsonPropertyName("graphs")] IReadOnlyList<GraphManifest> Graphs)
{
    public const string FileName = "manifest.json";

    [JsonPropertyName("format")] public string Format { get; init; } = ConvertedModel.Format;
    [JsonPropertyName("tool_version")] public string ToolVersion { get; init; } = ConvertedModel.ToolVersion;
    [JsonPropertyName("source_fingerprint")] public string? SourceFingerprint { get; init; }
    [JsonPropertyName("notes")] public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();

    /// <summary>Size of the external data file the graphs share.</summary>
    [JsonPropertyName("data_bytes")] public long DataBytes { get; init; }

    [JsonIgnore] public long TotalBytes => Graphs.Sum(g => g.Bytes) + DataBytes;

    public GraphManifest Graph(string file, string folder) =>
        Graphs.FirstOrDefault(g => g.File == file) ?? throw new ModelFormatException(Path.Combine(folder, FileName), $"lists no graph '{file}'");

    public void Save(string folder) => File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, ConvertedModel.JsonOptions));

    public static ComponentManifest Load(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!Directory.Exists(folder)) throw new ModelFormatException(folder, "component folder missing from the converted model");
        if (!File.Exists(path)) throw new ModelFormatException(path, "not found: this component was not converted");
        try
        {
            return JsonSerializer.Deserialize<ComponentManifest>(File.ReadAllText(path), ConvertedModel.JsonOptions)
                   ?? throw new ModelFormatException(path, "empty manifest");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"not a valid manifest ({e.Message.Split('\n')[0]})", e);
        }
    }
}
