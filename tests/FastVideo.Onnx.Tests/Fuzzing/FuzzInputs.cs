using System.Buffers.Binary;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Tests.Support;

namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>
/// The unmutated inputs, made once per test run in one temporary folder (removed at exit): copies of the tiny models,
/// a sharded variant, the converted model generate runs, and a valid --latents file. Cases link these files into their
/// scratch folders and replace only the file they mutate.
/// </summary>
public static class FuzzInputs
{
    static readonly string Root = Path.Combine(Path.GetTempPath(), $"fvo-fuzz-{Environment.ProcessId}");
    static readonly Lazy<string> T2V = new(() => Copy(Repo.TinyT2V, "wan-t2v-tiny"));
    static readonly Lazy<string> I2V = new(() => Copy(Repo.TinyI2V, "wan-i2v-tiny"));
    static readonly Lazy<string> Sharded = new(MakeSharded);
    static readonly Lazy<string> Latents = new(MakeLatents);
    static readonly Dictionary<string, byte[]> Cache = new(StringComparer.Ordinal);

    /// <summary>Removes every input and scratch folder (the test host may end without running exit handlers).</summary>
    public static void Delete()
    {
        try
        {
            if (Directory.Exists(Root)) Directory.Delete(Root, true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Where the cases' scratch folders go (beside the inputs, so that hard links work).</summary>
    public static string CasesFolder => Path.Combine(Root, "cases");

    public static string Folder(FuzzInput input) => input switch
    {
        FuzzInput.TextToVideo => T2V.Value,
        FuzzInput.ImageToVideo => I2V.Value,
        FuzzInput.ShardedTextToVideo => Sharded.Value,
        FuzzInput.ConvertedTextToVideo => ConvertedModels.TextToVideo,
        _ => throw new ArgumentOutOfRangeException(nameof(input)),
    };

    public static string LatentsFile => Latents.Value;

    /// <summary>The unmutated file a target mutates (read once and cached; callers must not modify it).</summary>
    public static byte[] Original(FuzzTarget target)
    {
        string path = SourcePath(target.Input, target.File);
        lock (Cache)
        {
            if (!Cache.TryGetValue(path, out var bytes)) Cache[path] = bytes = File.ReadAllBytes(path);
            return bytes;
        }
    }

    /// <summary>The unmutated file behind a scratch-relative path.</summary>
    public static string SourcePath(FuzzInput input, string relative) =>
        relative == FuzzTarget.LatentsFile
            ? LatentsFile
            : Path.Combine(Folder(input), Path.GetRelativePath(FuzzTarget.ModelFolder, relative));

    static string Copy(string source, string name)
    {
        string target = Path.Combine(Root, "bases", name);
        if (Directory.Exists(target)) Directory.Delete(target, true);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            string dest = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest);
        }
        return target;
    }

    static string MakeSharded()
    {
        string target = Copy(Repo.TinyT2V, "wan-t2v-tiny-sharded");
        string transformer = Path.Combine(target, "transformer");
        string single = Path.Combine(transformer, "diffusion_pytorch_model.safetensors");
        var specs = new List<TensorSpec>();
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var file = SafetensorsFile.Open(single))
            foreach (var (name, info) in file.Tensors.OrderBy(t => t.Value.Begin))
            {
                specs.Add(new TensorSpec(name, info.DType, info.Shape));
                data[name] = file.ReadBytes(info);
            }
        File.Delete(single);
        // The shard limit is the smallest prefix of the tensors that holds at least half the bytes: exactly two shards.
        long total = specs.Sum(s => s.ByteLength), limit = 0;
        foreach (var spec in specs)
            if ((limit += spec.ByteLength) * 2 >= total) break;
        SafetensorsWriter.WriteSharded(transformer, "diffusion_pytorch_model", specs, limit, (spec, stream) => stream.Write(data[spec.Name]));
        if (Directory.GetFiles(transformer, "*.safetensors").Length != 2)
            throw new InvalidOperationException("the sharded transformer should have two shards");
        return target;
    }

    static string MakeLatents()
    {
        // Deterministic values in [-2, 2): the tensor only has to be valid, not Gaussian.
        var rng = new Random(20240601);
        long elements = LatentsMutators.Shape.Aggregate(1L, (a, b) => a * b);
        var data = new byte[elements * 4];
        for (int i = 0; i < elements; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), (float)(rng.NextDouble() * 4 - 2));
        string path = Path.Combine(Root, "bases", FuzzTarget.LatentsFile);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, LatentsMutators.Build(LatentsMutators.TensorName, "F32", LatentsMutators.Shape, data));
        return path;
    }
}
