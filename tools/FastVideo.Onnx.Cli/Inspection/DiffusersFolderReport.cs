using System.Text.Json.Serialization;
using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Runtime.Configuration;
using FastVideo.Onnx.Runtime.Pipelines;

namespace FastVideo.Onnx.Cli.Inspection;

/// <summary>One safetensors file of a component: read from its header only.</summary>
public sealed record WeightFileReport(string File, int Tensors, long Bytes, IReadOnlyList<string> Dtypes);

/// <summary>
/// One component of a Diffusers folder. <see cref="Conversion"/> is what convert would do with it: "onnx" (an exporter
/// is registered for its class), "copied" (no weights: tokenizer, scheduler, image processor), "unsupported" (no
/// exporter) or "missing" (model_index.json lists it, the folder is absent).
/// </summary>
public sealed record DiffusersComponentReport(
    string Name, string Library, string ClassName, string Conversion, string? Exporter, string? ConfigFile,
    IReadOnlyDictionary<string, JsonNode?> Config, IReadOnlyList<WeightFileReport> WeightFiles, string? Problem)
{
    public int Tensors => WeightFiles.Sum(f => f.Tensors);
    public long WeightBytes => WeightFiles.Sum(f => f.Bytes);
}

/// <summary>
/// What <c>fastvideo-onnx inspect</c> reports about a Diffusers model folder, reading configs and weight headers only.
/// <see cref="Convertible"/> and <see cref="ConvertProblem"/> come from a dry run of convert's checks (everything it
/// reads before writing), so inspect and convert always agree; <see cref="Notices"/> are the notices convert would print.
/// </summary>
public sealed record DiffusersFolderReport(
    string Folder, string Pipeline, string? DiffusersVersion, bool RuntimeHasPipeline, string? Preset,
    IReadOnlyList<DiffusersComponentReport> Components, string? ConvertProblem, IReadOnlyList<string> Notices)
{
    /// <summary>model_index.json's pipeline-level fields that are set (Wan2.2's <c>expand_timesteps</c>, <c>boundary_ratio</c>).</summary>
    public IReadOnlyDictionary<string, JsonNode?> PipelineConfig { get; init; } = new Dictionary<string, JsonNode?>();

    [JsonPropertyOrder(-1)] public string Kind => "diffusers";
    public int Tensors => Components.Sum(c => c.Tensors);
    public long WeightBytes => Components.Sum(c => c.WeightBytes);
    public IReadOnlyList<string> Dtypes => Components.SelectMany(c => c.WeightFiles).SelectMany(f => f.Dtypes).Distinct().Order(StringComparer.Ordinal).ToList();
    public bool Convertible => ConvertProblem is null;

    public static DiffusersFolderReport Build(string folder)
    {
        var index = ModelIndex.Load(folder);
        var converter = new ModelConverter();
        var components = index.Components.Select(c => Component(index, c, converter)).ToList();

        string? preset = null;
        // Presets match on the pipeline and the transformer's shape, as for a converted folder.
        if (components.FirstOrDefault(c => c.Name == "transformer") is { ConfigFile: { } transformerConfig })
        {
            try
            {
                preset = PresetCatalog.Default.Find(index.PipelineClass, JsonConfig.Load(Path.Combine(folder, "transformer", transformerConfig)), index.Json)?.Name;
            }
            catch (ModelFormatException)
            {
                // An unreadable transformer config is already the component's reported problem.
            }
        }

        string? problem = null;
        IReadOnlyList<string> notices = Array.Empty<string>();
        try
        {
            notices = RuntimeSourceValidator.Converter().Validate(new ConversionRequest(folder, folder));
        }
        catch (FastVideoException e)
        {
            problem = e.Message;
        }

        return new DiffusersFolderReport(folder, index.PipelineClass, index.Json.GetStringOrNull("_diffusers_version"),
            new PipelineRegistry().Names.Contains(index.PipelineClass), preset, components, problem, notices)
        {
            PipelineConfig = ConfigHighlights.OfPipeline(index.Json),
        };
    }

    static DiffusersComponentReport Component(ModelIndex index, ComponentEntry entry, ModelConverter converter)
    {
        var exporter = converter.ExporterFor(entry.ClassName);
        string conversion = exporter is null ? "unsupported" : exporter == typeof(CopiedComponentExporter) ? "copied" : "onnx";
        string? exporterName = exporter is null || conversion == "copied" ? null : exporter.Name;
        var empty = new Dictionary<string, JsonNode?>();
        if (!ComponentPath.IsFolderName(entry.Name))
            return new DiffusersComponentReport(entry.Name, entry.Library, entry.ClassName, conversion, exporterName, null, empty,
                Array.Empty<WeightFileReport>(), $"component name '{entry.Name}' is not a plain folder name; it is not read");
        string dir = Path.Combine(index.Folder, entry.Name);
        if (!Directory.Exists(dir))
            return new DiffusersComponentReport(entry.Name, entry.Library, entry.ClassName, "missing", exporterName, null, empty,
                Array.Empty<WeightFileReport>(), $"{dir}: component folder missing (model_index.json lists '{entry.Name}')");

        string? configFile = ConfigHighlights.FindConfig(dir);
        IReadOnlyDictionary<string, JsonNode?> config = empty;
        var problems = new List<string>();
        if (exporter is null) problems.Add($"no exporter for class '{entry.ClassName}' (convert handles: {string.Join(", ", converter.SupportedClasses)})");
        try
        {
            if (configFile is not null) config = ConfigHighlights.Of(JsonConfig.Load(configFile));
        }
        catch (ModelFormatException e)
        {
            problems.Add(e.Message);
        }

        var weights = new List<WeightFileReport>();
        // Weightless components are copied as they are; for the others the weights are what conversion reads.
        if (conversion != "copied")
        {
            try
            {
                if (CheckpointHeaders.TryOpen(dir) is { } archive)
                    using (archive)
                        weights.AddRange(archive.Files.Select(f => new WeightFileReport(Path.GetFileName(f.Path), f.Tensors.Count, f.Length,
                            f.Tensors.Values.Select(t => t.DType.SafetensorsName()).Distinct().Order(StringComparer.Ordinal).ToList())));
                else problems.Add($"{dir}: no safetensors weights");
            }
            catch (ModelFormatException e)
            {
                problems.Add(e.Message);
            }
        }
        return new DiffusersComponentReport(entry.Name, entry.Library, entry.ClassName, conversion, exporterName,
            configFile is null ? null : Path.GetFileName(configFile), config, weights,
            problems.Count == 0 ? null : string.Join("; ", problems));
    }
}
