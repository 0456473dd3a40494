using System.Text.Json;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Core.Safetensors;

/// <summary>
/// The weights of one component folder, as Diffusers and transformers publish them: a single
/// <c>*.safetensors</c> file or shards listed by <c>*.safetensors.index.json</c>. Only headers are read up front.
/// </summary>
internal sealed class WeightArchive : IDisposable
{
    readonly List<SafetensorsFile> _files = new();
    readonly Dictionary<string, TensorInfo> _tensors = new(StringComparer.Ordinal);

    public string Folder { get; }
    public IReadOnlyList<SafetensorsFile> Files => _files;
    public IReadOnlyDictionary<string, TensorInfo> Tensors => _tensors;
    public long TotalBytes => _tensors.Values.Sum(t => t.ByteLength);

    WeightArchive(string folder) => Folder = folder;

    /// <summary>Opens the weights in <paramref name="folder"/>: an index (unsharded names first) or else the one safetensors file.</summary>
    public static WeightArchive Open(string folder)
    {
        if (!Directory.Exists(folder)) throw new ModelFormatException(folder, "component folder not found");
        var archive = new WeightArchive(folder);
        try
        {
            var indexes = Directory.GetFiles(folder, "*.safetensors.index.json").OrderBy(VariantRank).ThenBy(f => f, StringComparer.Ordinal).ToList();
            if (indexes.Count > 0) archive.LoadIndex(indexes[0]);
            else
            {
                var files = Directory.GetFiles(folder, "*.safetensors").OrderBy(VariantRank).ThenBy(f => f, StringComparer.Ordinal).ToList();
                if (files.Count == 0)
                    throw new ModelFormatException(folder, "no weights: expected diffusion_pytorch_model.safetensors, model.safetensors or a sharded *.safetensors.index.json");
                archive.Add(SafetensorsFile.Open(files[0]));
            }
            return archive;
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    // Plain names (model.safetensors) before variants (model.fp16.safetensors).
    static int VariantRank(string path)
    {
        string name = Path.GetFileName(path);
        string stem = name[..name.IndexOf(".safetensors", StringComparison.Ordinal)];
        return stem.Contains('.') ? 1 : 0;
    }

    void LoadIndex(string indexPath)
    {
        var doc = JsonText.Parse(indexPath, JsonText.ReadFile(indexPath), JsonText.Options(allowTrailingCommas: true));
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelFormatException(indexPath, "expected a JSON object at the top level");
            if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new ModelFormatException(indexPath, "field 'weight_map' is missing or not an object");
            var byFile = new Dictionary<string, List<string>>();
            foreach (var p in map.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String)
                    throw new ModelFormatException(indexPath, $"weight_map entry '{JsonText.Printable(p.Name)}' must name a file");
                string file = p.Value.GetString()!;
                if (!IsPlainFileName(file))
                    throw new ModelFormatException(indexPath, $"weight_map entry '{JsonText.Printable(p.Name)}' must name a file in the same folder, not '{JsonText.Printable(file)}'");
                if (!byFile.TryGetValue(file, out var names)) byFile[file] = names = new List<string>();
                names.Add(p.Name);
            }
            foreach (var (file, names) in byFile.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                string shardPath = Path.Combine(Folder, file);
                if (!File.Exists(shardPath) && !Directory.Exists(shardPath))
                    throw new ModelFormatException(shardPath, $"shard listed by {Path.GetFileName(indexPath)} is missing");
                var shard = SafetensorsFile.Open(shardPath);
                _files.Add(shard);
                foreach (var name in names)
                {
                    if (!shard.Tensors.TryGetValue(name, out var info))
                        throw new ModelFormatException(shardPath, $"tensor '{JsonText.Printable(name)}' listed by {Path.GetFileName(indexPath)} is not in this shard");
                    _tensors[name] = info;
                }
            }
        }
    }

    // A shard is a sibling of its index: no separators, no '.' or '..', no drive or control characters.
    static bool IsPlainFileName(string file) =>
        file.Length > 0 && file is not ("." or "..") && file.IndexOfAny(new[] { '/', '\\', ':' }) < 0 && !file.Any(char.IsControl);

    void Add(SafetensorsFile file)
    {
        _files.Add(file);
        foreach (var (name, info) in file.Tensors) _tensors[name] = info;
    }

    public TensorInfo? Find(string name) => _tensors.GetValueOrDefault(name);

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
        _files.Clear();
    }
}
