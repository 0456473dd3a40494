using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Core.Models;

/// <summary>One component entry of model_index.json: <c>"vae": ["diffusers", "AutoencoderKLWan"]</c>.</summary>
public sealed record ComponentEntry(string Name, string Library, string ClassName);

/// <summary>
/// A Diffusers pipeline folder's model_index.json: the pipeline class and its components. Entries written as
/// <c>[null, null]</c> (an optional component that is absent, like Wan2.1's transformer_2) are skipped.
/// </summary>
public sealed class ModelIndex
{
    public const string FileName = "model_index.json";

    public string Folder { get; }
    public JsonConfig Json { get; }
    public string PipelineClass { get; }
    public IReadOnlyList<ComponentEntry> Components { get; }

    ModelIndex(string folder, JsonConfig json, string pipelineClass, IReadOnlyList<ComponentEntry> components)
    {
        Folder = folder;
        Json = json;
        PipelineClass = pipelineClass;
        Components = components;
    }

    public static ModelIndex Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new ModelFormatException(folder, "model folder not found");
        string path = System.IO.Path.Combine(folder, FileName);
        if (!File.Exists(path))
            throw new ModelFormatException(path, "not found: a Diffusers model folder has a model_index.json at its top");
        var json = JsonConfig.Load(path);
        string pipelineClass = json.GetString("_class_name");
        var components = new List<ComponentEntry>();
        foreach (var (key, node) in json.Root)
        {
            if (key.StartsWith('_') || node is not JsonArray arr) continue;
            if (arr.Count != 2) throw new ModelFormatException(path, $"field '{key}' must be [library, class name]");
            if (arr[0] is null || arr[1] is null) continue;
            string? lib = (arr[0] as JsonValue)?.TryGetValue(out string? l) == true ? l : null;
            string? cls = (arr[1] as JsonValue)?.TryGetValue(out string? c) == true ? c : null;
            if (lib is null || cls is null) throw new ModelFormatException(path, $"field '{key}' must be [library, class name] strings");
            components.Add(new ComponentEntry(key, lib, cls));
        }
        return new ModelIndex(folder, json, pipelineClass, components);
    }

    public ComponentEntry? Find(string name) => Components.FirstOrDefault(c => c.Name == name);

    public ComponentEntry Get(string name) =>
        Find(name) ?? throw new ModelFormatException(System.IO.Path.Combine(Folder, FileName), $"has no component '{name}'");

    /// <summary>The component's folder, which must exist.</summary>
    public string ComponentFolder(string name)
    {
        string dir = System.IO.Path.Combine(Folder, name);
        if (!Directory.Exists(dir))
            throw new ModelFormatException(dir, $"component folder missing (model_index.json lists '{name}')");
        return dir;
    }

    /// <summary>The component's config file: config.json for models, scheduler_config.json or preprocessor_config.json for the others.</summary>
    public JsonConfig ComponentConfig(string name, string fileName = "config.json") =>
        JsonConfig.Load(System.IO.Path.Combine(ComponentFolder(name), fileName));
}
