using System.Text;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using Microsoft.Extensions.Configuration;

namespace FastVideo.Onnx.Runtime.Configuration;

/// <summary>The presets shipped with the library (models/presets, embedded), found by name or by matching a model.</summary>
public sealed class PresetCatalog
{
    readonly List<ModelPreset> _presets;

    public PresetCatalog(IEnumerable<ModelPreset> presets) => _presets = presets.ToList();

    public IReadOnlyList<ModelPreset> Presets => _presets;

    static readonly Lazy<PresetCatalog> Embedded = new(() =>
    {
        var assembly = typeof(PresetCatalog).Assembly;
        var presets = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("presets/", StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream, Encoding.UTF8);
                return Parse(reader.ReadToEnd(), n);
            });
        return new PresetCatalog(presets);
    });

    public static PresetCatalog Default => Embedded.Value;

    public static ModelPreset Parse(string json, string source)
    {
        IConfiguration config;
        try
        {
            config = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new ModelFormatException(source, $"not a valid preset ({e.Message.Split('\n')[0]})");
        }
        var section = config.GetSection("Preset");
        string name = section["Name"] ?? throw new ModelFormatException(source, "field 'Preset.Name' is missing");
        var match = section.GetSection("Match").Exists() ? section.GetSection("Match").Get<PresetMatch>() : null;
        return new ModelPreset(name, section["ModelId"] ?? "", match, json);
    }

    public ModelPreset Get(string name) =>
        _presets.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidRequestException("Preset", $"unknown preset '{name}' (known: {string.Join(", ", _presets.Select(p => p.Name))})");

    /// <summary>The first preset whose match block fits the model, or null.</summary>
    /// <param name="modelIndex">The folder's model_index.json, for presets that match its Wan2.2 fields.</param>
    public ModelPreset? Find(string pipelineClass, JsonConfig transformerConfig, JsonConfig? modelIndex = null) =>
        _presets.FirstOrDefault(p => p.Match is not null && p.Match.Matches(pipelineClass, transformerConfig, modelIndex));
}
