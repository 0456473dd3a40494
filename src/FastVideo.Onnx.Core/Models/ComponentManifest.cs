using System.Text.Json;
using System.Text.Json.Serialization;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;

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

    void Validate(string path)
    {
        ManifestValues.RequirePresent(path, "format", Format);
        ManifestValues.RequirePresent(path, "component", Component);
        ManifestValues.RequirePresent(path, "class_name", ClassName);
        ManifestValues.RequirePresent(path, "precision", Precision);
        ManifestValues.RequirePresent(path, "graphs", Graphs);
        ManifestValues.RequirePresent(path, "notes", Notes);
        if (Format != ConvertedModel.Format)
            throw new ModelFormatException(path, $"field 'format' is '{JsonText.Printable(Format)}'; this version reads '{ConvertedModel.Format}' (convert the model again)");
        ComponentName.Require(path, Component);
        if (ClassName.Length == 0) throw new ModelFormatException(path, "field 'class_name' is empty");
        ManifestValues.RequirePrecision(path, "precision", Precision);
        if (Opset <= 0) throw new ModelFormatException(path, $"field 'opset' is {Opset}, not a positive opset version");
        if (DataBytes < 0) throw new ModelFormatException(path, "field 'data_bytes' is negative");
        if (Graphs.Count == 0) throw new ModelFormatException(path, "field 'graphs' is empty: a converted component has at least one graph");
        for (int g = 0; g < Graphs.Count; g++)
        {
            var graph = Graphs[g];
            string field = $"graphs[{g}]";
            if (graph is null) throw new ModelFormatException(path, $"field '{field}' is null");
            ManifestValues.RequirePresent(path, $"{field}.file", graph.File);
            ManifestValues.RequirePresent(path, $"{field}.inputs", graph.Inputs);
            ManifestValues.RequirePresent(path, $"{field}.outputs", graph.Outputs);
            ManifestValues.RequireFileName(path, $"{field}.file", graph.File);
            if (graph.DataFile is not null) ManifestValues.RequireFileName(path, $"{field}.data_file", graph.DataFile);
            if (graph.Bytes < 0) throw new ModelFormatException(path, $"field '{field}.bytes' is negative");
            ManifestValues.RequireSignatures(path, $"{field}.inputs", graph.Inputs);
            ManifestValues.RequireSignatures(path, $"{field}.outputs", graph.Outputs);
        }
    }

    public static ComponentManifest Load(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!Directory.Exists(folder)) throw new ModelFormatException(folder, "component folder missing from the converted model");
        if (!File.Exists(path)) throw new ModelFormatException(path, "not found: this component was not converted");
        var manifest = ConvertedModel.Read<ComponentManifest>(path);
        manifest.Validate(path);
        return manifest;
    }
}
