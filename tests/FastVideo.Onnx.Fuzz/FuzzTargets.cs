using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Fuzz;

/// <summary>One fuzz target: feeds <paramref name="input"/> to a reader through a file in <paramref name="scratch"/>.</summary>
public delegate void FuzzTarget(ScratchFolder scratch, ReadOnlySpan<byte> input);

/// <summary>
/// The readers of untrusted files. Besides "does not crash", each target checks the invariants a reader promises
/// once it accepted a file (sizes add up, component names are folder names); a broken invariant is a finding too.
/// </summary>
public static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, FuzzTarget> All = new Dictionary<string, FuzzTarget>(StringComparer.Ordinal)
    {
        ["safetensors"] = Safetensors,
        ["weight-index"] = WeightIndex,
        ["model-index"] = ModelIndexFile,
        ["json-config"] = JsonConfigFile,
        ["manifest"] = Manifests,
    };

    /// <summary>The input is a whole safetensors file: header checks, then every tensor read back (as floats where it is one).</summary>
    static void Safetensors(ScratchFolder scratch, ReadOnlySpan<byte> input)
    {
        using var file = SafetensorsFile.Open(scratch.Write("w.safetensors", input));
        long previousEnd = 0;
        foreach (var tensor in file.Tensors.Values.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (tensor.ByteLength != tensor.ElementCount * tensor.DType.Size() || tensor.Begin < 8 || tensor.End > file.Length)
                throw new InvalidOperationException($"accepted tensor '{tensor.Name}' with inconsistent extent [{tensor.Begin}, {tensor.End}) for {tensor.ShapeText}");
            if (tensor.ByteLength > 0 && tensor.Begin < previousEnd)
                throw new InvalidOperationException($"accepted overlapping tensor '{tensor.Name}'");
            if (tensor.ByteLength > 0) previousEnd = tensor.End;
            if (tensor.DType.IsFloat()) file.ReadSingle(tensor);
            else file.ReadBytes(tensor);
        }
        file.HeaderBytes();
    }

    const string ShardName = "diffusion_pytorch_model-00001-of-00001.safetensors";

    /// <summary>The input is a shard index (*.safetensors.index.json) beside one valid shard holding tensors "a" and "b".</summary>
    static void WeightIndex(ScratchFolder scratch, ReadOnlySpan<byte> input)
    {
        string folder = System.IO.Path.Combine(scratch.Path, "weights");
        string shard = System.IO.Path.Combine(folder, ShardName);
        if (!File.Exists(shard))
        {
            Directory.CreateDirectory(folder);
            SafetensorsFile.Write(shard, new[]
            {
                ("a", DType.Float32, new long[] { 2 }, (ReadOnlyMemory<byte>)new byte[8]),
                ("b", DType.Float16, new long[] { 1, 2 }, (ReadOnlyMemory<byte>)new byte[4]),
            });
        }
        scratch.Write("weights/diffusion_pytorch_model.safetensors.index.json", input);
        using var archive = WeightArchive.Open(folder);
        foreach (var tensor in archive.Tensors.Values)
            if (tensor.File.Path != shard) throw new InvalidOperationException($"tensor '{tensor.Name}' resolved outside the folder: {tensor.File.Path}");
    }

    /// <summary>The input is a model_index.json: pipeline class and components, each of which must name a folder inside the model folder.</summary>
    static void ModelIndexFile(ScratchFolder scratch, ReadOnlySpan<byte> input)
    {
        scratch.Write("model/model_index.json", input);
        string folder = System.IO.Path.Combine(scratch.Path, "model");
        var index = ModelIndex.Load(folder);
        if (string.IsNullOrEmpty(index.PipelineClass)) throw new InvalidOperationException("accepted an empty _class_name");
        foreach (var component in index.Components)
        {
            string name = component.Name;
            if (name.Length == 0 || name is "." or ".." || name.IndexOfAny(new[] { '/', '\\', '\0' }) >= 0 || System.IO.Path.IsPathRooted(name))
                throw new InvalidOperationException($"accepted component name '{name}' that is not a folder name");
            if (index.Find(name) is null || index.Get(name).ClassName != component.ClassName)
                throw new InvalidOperationException($"component '{name}' not found by name");
        }
    }

    /// <summary>The input is a component config.json: every typed accessor on every field (and on a missing one).</summary>
    static void JsonConfigFile(ScratchFolder scratch, ReadOnlySpan<byte> input)
    {
        var config = JsonConfig.Load(scratch.Write("config.json", input));
        _ = config.ClassName;
        foreach (string field in config.Root.Select(p => p.Key).Append("no_such_field").ToList())
        {
            Attempt(() => config.GetInt(field));
            Attempt(() => config.GetInt(field, 7));
            Attempt(() => config.GetIntOrNull(field));
            Attempt(() => config.GetLong(field));
            Attempt(() => config.GetDouble(field));
            Attempt(() => config.GetDouble(field, 0.5));
            Attempt(() => config.GetDoubleOrNull(field));
            Attempt(() => config.GetBool(field));
            Attempt(() => config.GetBool(field, true));
            Attempt(() => config.GetString(field));
            Attempt(() => config.GetString(field, "x"));
            Attempt(() => config.GetStringOrNull(field));
            Attempt(() => config.GetIntArray(field));
            Attempt(() => config.GetIntArray(field, Array.Empty<int>()));
            Attempt(() => config.GetDoubleArray(field));
            Attempt(() => config.GetDoubleArray(field, Array.Empty<double>()));
            Attempt(() => config.GetBoolArray(field));
            Attempt(() => config.GetBoolArray(field, Array.Empty<bool>()));
        }
    }

    /// <summary>The input is both a converted folder's fastvideo_onnx.json and a component's manifest.json.</summary>
    static void Manifests(ScratchFolder scratch, ReadOnlySpan<byte> input)
    {
        scratch.Write("converted/" + ConvertedModel.FileName, input);
        scratch.Write("converted/transformer/" + ComponentManifest.FileName, input);
        string folder = System.IO.Path.Combine(scratch.Path, "converted");
        Attempt(() =>
        {
            var model = ConvertedModel.Load(folder);
            foreach (var (name, component) in model.Components)
                if (name.Length == 0 || name.IndexOfAny(new[] { '/', '\\' }) >= 0 || name is "." or ".." || component.ClassName is null || component.Kind is null)
                    throw new InvalidOperationException($"accepted component '{name}' with a path or missing fields");
        });
        Attempt(() =>
        {
            var manifest = ComponentManifest.Load(System.IO.Path.Combine(folder, "transformer"));
            foreach (var graph in manifest.Graphs)
                if (graph.File is null || graph.Inputs is null || graph.Outputs is null || graph.File.IndexOfAny(new[] { '/', '\\' }) >= 0)
                    throw new InvalidOperationException("accepted a graph entry with a path or missing fields");
        });
    }

    // Runs one accessor; a one-line FastVideoException is the expected refusal, anything else escapes.
    static void Attempt(Action action)
    {
        try
        {
            action();
        }
        catch (Core.Errors.FastVideoException e) when (!e.Message.Contains('\n'))
        {
        }
    }
}
