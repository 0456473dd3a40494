using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Core.Models;

/// <summary>One component entry of model_index.json: <c>"vae": ["diffusers", "AutoencoderKLWan"]</c>.</summary>
public sealed record ComponentEntry(string Name, string Library, string ClassName);

/// <summary>
/// A Diffusers pipeline folder's model_index.json: the pipeline class and its components. Entries written as
/// <c>[null, null]</c> (an optional component that is absent, like Wan2.1's transformer_2) are skipped, and so are the
/// pipeline's options (null, boolean or number values such as <c>"boundary_ratio": null</c>). Anything else (a string,
/// an object, an array that is not a pair of strings) is refused, and so is a component key that is not a plain folder
/// name (<see cref="ComponentName"/>).
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
        if (!json.Root.ContainsKey("_class_name"))
            throw new ModelFormatException(path, "field '_class_name' is missing: model_index.json names the pipeline class there");
        string pipelineClass = json.GetString("_class_name");
        if (pipelineClass.Length == 0) throw new ModelFormatException(path, "field '_class_name' is empty");
        var components = new List<ComponentEntry>();
        foreach (var (key, node) in json.Root)
        {
            // Keys starting with '_' are metadata (_class_name, _diffusers_version, _name_or_path); null, boolean and
            // number values are the pipeline's own options (Wan2.2's boundary_ratio, expand_timesteps).
            if (key.StartsWith('_') || IsPipelineOption(node)) continue;
            ComponentName.Require(path, key);
            if (ParseEntry(path, key, node) is { } entry) components.Add(entry);
        }
        return new ModelIndex(folder, json, pipelineClass, components);
    }

    // Every component entry is [library, class] or [null, null] (an optional component that is absent); anything
    // else is an error rather than a component silently dropped.
    static ComponentEntry? ParseEntry(string path, string key, JsonNode? node)
    {
        string expected = "must be [library, class name] or [null, null] (an absent optional component)";
        if (node is not JsonArray arr) throw new ModelFormatException(path, $"field '{key}' {expected}, not {JsonConfig.Describe(node)}");
        if (arr.Count != 2) throw new ModelFormatException(path, $"field '{key}' {expected}, not an array of {arr.Count}");
        if (arr[0] is null && arr[1] is null) return null;
        string? lib = AsText(arr[0]), cls = AsText(arr[1]);
        if (lib is null || cls is null)
            throw new ModelFormatException(path, $"field '{key}' {expected}, not [{JsonConfig.Describe(arr[0])}, {JsonConfig.Describe(arr[1])}]");
        if (lib.Length == 0 || cls.Length == 0) throw new ModelFormatException(path, $"field '{key}' has an empty library or class name");
        return new ComponentEntry(key, lib, cls);
    }

    static bool IsPipelineOption(JsonNode? node) =>
        node is null || node is JsonValue v && v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False or System.Text.Json.JsonValueKind.Number;

    static string? AsText(JsonNode? n) => n is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : null;

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
