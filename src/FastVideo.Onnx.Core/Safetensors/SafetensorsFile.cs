using System.Text;
using System.Text.Json;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Tensors;
using Microsoft.Win32.SafeHandles;

namespace FastVideo.Onnx.Core.Safetensors;

/// <summary>
/// A safetensors file opened for positional reads: the header is parsed and checked up front (lengths,
/// offsets, overlaps, dtype and shape against byte counts); tensor bytes are read on demand, so a file of any
/// size costs only its header in memory.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    const long MaxHeaderBytes = 100L << 20;

    readonly SafeFileHandle _handle;
    readonly long _dataStart;
    readonly Dictionary<string, TensorInfo> _tensors = new(StringComparer.Ordinal);

    public string Path { get; }
    public long Length { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public IReadOnlyDictionary<string, TensorInfo> Tensors => _tensors;

    SafetensorsFile(string path)
    {
        Path = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            Length = RandomAccess.GetLength(_handle);
            (_dataStart, Metadata) = ParseHeader();
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException(path, "file not found");
        return new SafetensorsFile(path);
    }

    ModelFormatException Corrupt(string problem) => new(Path, problem);

    (long, IReadOnlyDictionary<string, string>) ParseHeader()
    {
        if (Length < 8) throw Corrupt($"truncated safetensors file: {Length} bytes, shorter than its 8-byte header length");
        Span<byte> lenBytes = stackalloc byte[8];
        RandomAccess.Read(_handle, lenBytes, 0);
        ulong headerLength = BitConverter.ToUInt64(lenBytes);
        if (headerLength > (ulong)(Length - 8))
            throw Corrupt($"corrupt safetensors header: header length {headerLength} runs past the end of the file ({Length} bytes)");
        if ((long)headerLength > MaxHeaderBytes)
            throw Corrupt($"corrupt safetensors header: header length {headerLength} is implausibly large");
        var header = new byte[headerLength];
        RandomAccess.Read(_handle, header, 8);
        long dataStart = 8 + (long)headerLength;
        long dataLength = Length - dataStart;

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw Corrupt($"corrupt safetensors header: not valid JSON ({e.Message.Split('\n')[0]})");
        }
        var metadata = new Dictionary<string, string>();
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Corrupt("corrupt safetensors header: not a JSON object");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind == JsonValueKind.Object)
                        foreach (var m in prop.Value.EnumerateObject())
                            metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                _tensors[prop.Name] = ParseTensor(prop.Name, prop.Value, dataStart, dataLength);
            }
        }

        // Tensors must not share bytes: sort by start and compare neighbours.
        TensorInfo? previous = null;
        foreach (var t in _tensors.Values.Where(t => t.ByteLength > 0).OrderBy(t => t.Begin))
        {
            if (previous is not null && t.Begin < previous.End)
                throw Corrupt($"corrupt safetensors header: tensors '{previous.Name}' and '{t.Name}' overlap");
            previous = t;
        }
        return (dataStart, metadata);
    }

    TensorInfo ParseTensor(string name, JsonElement e, long dataStart, long dataLength)
    {
        if (e.ValueKind != JsonValueKind.Object
            || !e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String
            || !e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array
            || !e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Corrupt($"corrupt safetensors header: tensor '{name}' needs dtype, shape and data_offsets [begin, end]");
        var dtype = DTypeInfo.FromSafetensorsName(dt.GetString()!)
                    ?? throw Corrupt($"tensor '{name}' has unsupported dtype '{dt.GetString()}'");
        var shape = new long[sh.GetArrayLength()];
        int i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long v) || v < 0)
                throw Corrupt($"corrupt safetensors header: tensor '{name}' has an invalid shape");
            shape[i++] = v;
        }
        long[] offsets = off.EnumerateArray().Select(o =>
            o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out long v) && v >= 0
                ? v : throw Corrupt($"corrupt safetensors header: tensor '{name}' has invalid data_offsets")).ToArray();
        long begin = offsets[0], end = offsets[1];
        if (begin > end || end > dataLength)
            throw Corrupt($"tensor '{name}': data offsets [{begin}, {end}] out of range (the data section has {dataLength} bytes; truncated file?)");
        long elements = shape.Aggregate(1L, (a, b) => a * b);
        if (elements * dtype.Size() != end - begin)
            throw Corrupt($"tensor '{name}': shape [{string.Join(", ", shape)}] of {dtype.SafetensorsName()} needs {elements * dtype.Size()} bytes but its data offsets span {end - begin}");
        return new TensorInfo(name, dtype, shape, this, dataStart + begin, dataStart + end);
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes of the tensor, starting <paramref name="offset"/> bytes into it.</summary>
    public void Read(TensorInfo tensor, Span<byte> destination, long offset = 0)
    {
        if (offset < 0 || offset + destination.Length > tensor.ByteLength) throw new ArgumentOutOfRangeException(nameof(offset));
        long position = tensor.Begin + offset;
        while (destination.Length > 0)
        {
            int n = RandomAccess.Read(_handle, destination, position);
            if (n <= 0) throw Corrupt($"tensor '{tensor.Name}': unexpected end of file");
            destination = destination[n..];
            position += n;
        }
    }

    public byte[] ReadBytes(TensorInfo tensor)
    {
        var bytes = new byte[tensor.ByteLength];
        Read(tensor, bytes);
        return bytes;
    }

    /// <summary>A whole tensor as float32 (for small tensors: configs, biases, tests).</summary>
    public float[] ReadSingle(TensorInfo tensor)
    {
        var result = new float[tensor.ElementCount];
        FloatConversion.ToSingle(ReadBytes(tensor), tensor.DType, result);
        return result;
    }

    /// <summary>The raw header (length prefix and JSON): it identifies the file's tensors without reading their data.</summary>
    public byte[] HeaderBytes()
    {
        var bytes = new byte[_dataStart];
        RandomAccess.Read(_handle, bytes, 0);
        return bytes;
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>Writes tensors held in memory to a new safetensors file (float32/int64 outputs of the runtime, random test weights).</summary>
    public static void Write(string path, IEnumerable<(string Name, DType DType, long[] Shape, ReadOnlyMemory<byte> Data)> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var data = list.ToDictionary(t => t.Name, t => t.Data, StringComparer.Ordinal);
        SafetensorsWriter.Write(path, list.Select(t => new TensorSpec(t.Name, t.DType, t.Shape)).ToList(),
            (spec, stream) => stream.Write(data[spec.Name].Span), metadata);
    }
}
