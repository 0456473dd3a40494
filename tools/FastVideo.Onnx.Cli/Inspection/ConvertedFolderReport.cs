using System.Text.Json.Serialization;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Pipelines;

namespace FastVideo.Onnx.Cli.Inspection;

/// <summary>One ONNX graph of a converted component, as its manifest records it.</summary>
public sealed record GraphReport(string File, string? DataFile, long Bytes, IReadOnlyList<TensorSignature> Inputs, IReadOnlyList<TensorSignature> Outputs);

/// <summary>
/// One component of a converted folder: "onnx" (graphs, with the precision and opset of its manifest) or "copied".
/// <see cref="Bytes"/> is measured on disk.
/// </summary>
public sealed record ConvertedComponentReport(
    string Name, string ClassName, string Kind, string? Precision, int? Opset, long Bytes,
    IReadOnlyList<GraphReport> Graphs, IReadOnlyList<string> Notes, string? Problem);

/// <summary>The sampling preset that <c>generate</c> would use for the folder, or Diffusers' defaults when none matches.</summary>
public sealed record PresetReport(string? Name, string? ModelId, SamplingDefaults Sampling);

/// <summary>What <c>fastvideo-onnx inspect</c> reports about a converted model folder (fastvideo_onnx.json + manifests).</summary>
public sealed record ConvertedFolderReport(
    string Folder, string Format, string ToolVersion, string? CreatedUtc, string Pipeline, bool RuntimeHasPipeline,
    IReadOnlyList<ConvertedComponentReport> Components, PresetReport? Preset, string? PresetProblem)
{
    [JsonPropertyOrder(-1)] public string Kind => "converted";
    public long Bytes => Components.Sum(c => c.Bytes);

    /// <summary>model_index.json's pipeline-level fields that are set (Wan2.2's <c>expand_timesteps</c>, <c>boundary_ratio</c>).</summary>
    public IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?> PipelineConfig { get; init; } = new Dictionary<string, System.Text.Json.Nodes.JsonNode?>();

    public static ConvertedFolderReport Build(string folder)
    {
        var model = ConvertedModel.Load(folder);
        var components = model.Components.Select(c => Component(folder, c.Key, c.Value)).ToList();

        PresetReport? preset = null;
        string? presetProblem = null;
        try
        {
            var found = VideoGenerator.ResolvePreset(folder, null);
            preset = new PresetReport(found?.Name, found?.ModelId, found?.Sampling ?? new SamplingDefaults());
        }
        catch (FastVideoException e)
        {
            // The preset is matched on the transformer's config: a folder without one cannot say.
            presetProblem = e.Message;
        }
        string index = Path.Combine(folder, ModelIndex.FileName);
        return new ConvertedFolderReport(folder, model.FormatName, model.Version, model.CreatedUtc, model.Pipeline,
            new PipelineRegistry().Names.Contains(model.Pipeline), components, preset, presetProblem)
        {
            PipelineConfig = File.Exists(index) ? ConfigHighlights.OfPipeline(JsonConfig.Load(index)) : new Dictionary<string, System.Text.Json.Nodes.JsonNode?>(),
        };
    }

    static ConvertedComponentReport Component(string folder, string name, ConvertedComponent recorded)
    {
        string dir = Path.Combine(folder, name);
        var none = Array.Empty<GraphReport>();
        if (!Directory.Exists(dir))
            return new ConvertedComponentReport(name, recorded.ClassName, recorded.Kind, recorded.Precision, null, 0, none, Array.Empty<string>(),
                $"{dir}: component folder missing (fastvideo_onnx.json lists '{name}')");
        long bytes = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        if (recorded.Kind != ConvertedComponent.Exported)
            return new ConvertedComponentReport(name, recorded.ClassName, recorded.Kind, null, null, bytes, none, Array.Empty<string>(), null);

        ComponentManifest manifest;
        try
        {
            manifest = ComponentManifest.Load(dir);
        }
        catch (ModelFormatException e)
        {
            return new ConvertedComponentReport(name, recorded.ClassName, recorded.Kind, recorded.Precision, null, bytes, none, Array.Empty<string>(), e.Message);
        }
        var missing = manifest.Graphs.SelectMany(g => new[] { g.File, g.DataFile }).OfType<string>().Distinct()
            .Where(f => !File.Exists(Path.Combine(dir, f))).ToList();
        string? problem = missing.Count == 0 ? null : $"{dir}: files listed in manifest.json are missing: {string.Join(", ", missing)}";
        var graphs = manifest.Graphs.Select(g => new GraphReport(g.File, g.DataFile, g.Bytes, g.Inputs, g.Outputs)).ToList();
        return new ConvertedComponentReport(name, manifest.ClassName, recorded.Kind, manifest.Precision, manifest.Opset, bytes, graphs, manifest.Notes, problem);
    }
}
