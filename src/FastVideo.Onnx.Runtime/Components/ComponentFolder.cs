using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>One converted component's folder: its manifest, its config and its graphs.</summary>
public sealed class ComponentFolder
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
            throw new ModelFormatException(path,
                $"component '{name}' is missing from the converted model (add it to the folder: fastvideo-onnx convert SOURCE --output {modelFolder} --components {name})");
        return new ComponentFolder(name, path, ComponentManifest.Load(path));
    }

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

    public GraphSession Open(ExecutionDevice device, string file, IReadOnlyList<ShapeProfile>? profiles = null, bool withKernels = false,
        IReadOnlyDictionary<string, long>? fixedDims = null, bool cudaGraph = false, bool oncePerRequest = false, bool channelsLast = false) =>
        device.Open(Graph(file), $"{Name}/{file}", profiles, withKernels, fixedDims, cudaGraph, oncePerRequest, channelsLast);

    public bool HasGraph(string file) => Manifest.Graphs.Any(g => g.File == file);
}
