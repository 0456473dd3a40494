using System.Text.Json;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Core.Safetensors;

/// <summary>A tensor to be written: its name, type and shape; the bytes come from a callback.</summary>
internal sealed record TensorSpec(string Name, DType DType, long[] Shape)
{
    public long ByteLength => Shape.Aggregate(1L, (a, b) => a * b) * DType.Size();
}

/// <summary>
/// Writes safetensors files without holding tensors in memory: the header is computed from names, types and shapes,
/// then each tensor's bytes are streamed by a callback. Can split a checkpoint into shards with an index, the way
/// Diffusers and transformers publish large models.
/// </summary>
internal static class SafetensorsWriter
{
    public static void Write(string path, IReadOnlyList<TensorSpec> tensors, Action<TensorSpec, Stream> writeData,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in tensors)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", t.DType.SafetensorsName());
                w.WriteStartArray("shape");
                foreach (var d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + t.ByteLength);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += t.ByteLength;
            }
            w.WriteEndObject();
        }
        // Pad the header with spaces to a multiple of 8 bytes, as the reference implementation does.
        var header = ms.ToArray().ToList();
        while (header.Count % 8 != 0) header.Add((byte)' ');
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        fs.Write(BitConverter.GetBytes((ulong)header.Count));
        fs.Write(header.ToArray());
        foreach (var t in tensors)
        {
            long before = fs.Position;
            writeData(t, fs);
            if (fs.Position - before != t.ByteLength)
                throw new InvalidOperationException($"tensor '{t.Name}': wrote {fs.Position - before} bytes, expected {t.ByteLength}");
        }
    }

    /// <summary>
    /// Writes <paramref name="stem"/>.safetensors, or shards <paramref name="stem"/>-0000i-of-0000n.safetensors plus
    /// <paramref name="stem"/>.safetensors.index.json when the total exceeds <paramref name="maxShardBytes"/>.
    /// </summary>
    public static void WriteSharded(string folder, string stem, IReadOnlyList<TensorSpec> tensors, long maxShardBytes, Action<TensorSpec, Stream> writeData)
    {
        var shards = new List<List<TensorSpec>> { new() };
        long size = 0;
        foreach (var t in tensors)
        {
            if (size > 0 && size + t.ByteLength > maxShardBytes)
            {
                shards.Add(new List<TensorSpec>());
                size = 0;
            }
            shards[^1].Add(t);
            size += t.ByteLength;
        }
        if (shards.Count == 1)
        {
            Write(Path.Combine(folder, stem + ".safetensors"), shards[0], writeData);
            return;
        }
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < shards.Count; i++)
        {
            string name = $"{stem}-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            Write(Path.Combine(folder, name), shards[i], writeData);
            foreach (var t in shards[i]) map[t.Name] = name;
        }
        var index = new { metadata = new { total_size = tensors.Sum(t => t.ByteLength) }, weight_map = map };
        File.WriteAllText(Path.Combine(folder, stem + ".safetensors.index.json"), JsonSerializer.Serialize(index, new JsonSerializerOptions { WriteIndented = true }));
    }
}
