using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>One converted component's folder: its manifest, its config and its graphs.</summary>
internal sealed class ComponentFolder
{
    public string Name { get; }
    public string Path { get; }
    public ComponentManifest Manifest { get; }

    ComponentFolder(string name, string path, ComponentManifest manifest)
    {
        Name = name;
        Path = path;
        Manifest = manifest;
    }

    /// <summary>Opens <paramref name="name"/> in a converted model folder; a component that was not converted is an error saying how to convert it.</summary>
    public static ComponentFolder Open(string modelFolder, string name)
    {
        string path = System.IO.Path.Combine(modelFolder, name);
        if (!Directory.Exists(path) || !File.Exists(System.IO.Path.Combine(path, ComponentManifest.FileName)))
            throw new ModelFormatException(path, $"component '{name}' is missing from the converted model ({AddHint(modelFolder, [name])})");
        return new ComponentFolder(name, path, ComponentManifest.Load(path));
    }

    /// <summary>
    /// Throws when any of <paramref name="names"/> has no folder in the converted model, naming them all and giving the
    /// one convert command that adds them (convert adds to an existing converted folder, so following it converges).
    /// </summary>
    public static void RequireAll(string modelFolder, IEnumerable<string> names)
    {
        var missing = names.Where(n => !Directory.Exists(System.IO.Path.Combine(modelFolder, n))).ToList();
        if (missing.Count == 0) return;
        string what = missing.Count == 1 ? $"component '{missing[0]}' is" : $"components {string.Join(", ", missing.Select(m => $"'{m}'"))} are";
        string where = missing.Count == 1 ? System.IO.Path.Combine(modelFolder, missing[0]) : modelFolder;
        throw new ModelFormatException(where, $"{what} missing from the converted model ({AddHint(modelFolder, missing)})");
    }

    static string AddHint(string modelFolder, IReadOnlyList<string> names) =>
        $"add {(names.Count == 1 ? "it" : "them")} to the folder: fastvideo-onnx convert SOURCE --output {modelFolder} --components {string.Join(",", names)}";

    public JsonConfig Config(string file = "config.json") => JsonConfig.Load(System.IO.Path.Combine(Path, file));

    /// <summary>The path of <paramref name="file"/>, which the manifest must list.</summary>
    public string Graph(string file)
    {
        var graph = Manifest.Graph(file, Path);
        string path = System.IO.Path.Combine(Path, graph.File);
        if (!File.Exists(path)) throw new ModelFormatException(path, "graph listed in manifest.json is missing");
        if (graph.DataFile is not null && !File.Exists(System.IO.Path.Combine(Path, graph.DataFile)))
            throw new ModelFormatException(System.IO.Path.Combine(Path, graph.DataFile), "external data listed in manifest.json is missing");
        return path;
    }

    /// <summary>Opens graph <paramref name="file"/> (which the manifest must list) on <paramref name="device"/>.</summary>
    public GraphSession Open(ExecutionDevice device, string file, SessionSpec? spec = null) => device.Open(Graph(file), $"{Name}/{file}", spec);

    /// <summary>
    /// Opens <paramref name="file"/> as <see cref="Open"/> does and checks that its graph takes <paramref name="inputs"/>;
    /// a graph that lacks one is closed again before the error.
    /// </summary>
    public GraphSession OpenRequiring(ExecutionDevice device, string file, SessionSpec? spec, params string[] inputs)
    {
        var session = Open(device, file, spec);
        try
        {
            session.RequireInputs(inputs);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public bool HasGraph(string file) => Manifest.Graphs.Any(g => g.File == file);

    /// <summary>The manifest's entry for <paramref name="file"/>.</summary>
    public GraphManifest GraphEntry(string file) => Manifest.Graph(file, Path);
}
