using System.Buffers.Binary;
using System.Text.Json;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.IO;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;
using Microsoft.Win32.SafeHandles;

namespace FastVideo.Onnx.Core.Safetensors;

/// <summary>
/// A safetensors file opened for positional reads: the header is parsed and checked up front (lengths,
/// offsets, overlaps, dtype and shape against byte counts); tensor bytes are read on demand, so a file of any
/// size costs only its header in memory.
/// </summary>
internal sealed class SafetensorsFile : IDisposable
{
    const ulong MaxHeaderBytes = 100UL << 20;

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
        UntrustedFile.RequireRegular(path);
        return new SafetensorsFile(path);
    }

    ModelFormatException Corrupt(string problem) => new(Path, problem);

    static string Quote(string name) => JsonText.Printable(name);

    (long, IReadOnlyDictionary<string, string>) ParseHeader()
    {
        if (Length < 8) throw Corrupt($"truncated safetensors file: {Length} bytes, shorter than its 8-byte header length");
        Span<byte> lenBytes = stackalloc byte[8];
        ReadExactly(lenBytes, 0);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        // Both limits are checked before anything is allocated: the length field is the first thing an attacker controls.
        if (headerLength > (ulong)(Length - 8))
            throw Corrupt($"corrupt safetensors header: header length {headerLength} runs past the end of the file ({Length} bytes)");
        if (headerLength > MaxHeaderBytes)
            throw Corrupt($"corrupt safetensors header: header length {headerLength} is implausibly large (more than {MaxHeaderBytes} bytes)");
        if (headerLength < 2) throw Corrupt($"corrupt safetensors header: header length {headerLength} is too short for a JSON object");
        var header = new byte[headerLength];
        ReadExactly(header, 8);
        long dataStart = 8 + (long)headerLength;
        long dataLength = Length - dataStart;

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var doc = JsonText.Parse(Path, header, JsonText.Options(allowTrailingCommas: false), "corrupt safetensors header: "))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Corrupt("corrupt safetensors header: not a JSON object");
            bool sawMetadata = false;
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (sawMetadata) throw Corrupt("corrupt safetensors header: '__metadata__' appears twice");
                    sawMetadata = true;
                    ParseMetadata(prop.Value, metadata);
                    continue;
                }
                if (_tensors.ContainsKey(prop.Name)) throw Corrupt($"corrupt safetensors header: tensor '{Quote(prop.Name)}' appears twice");
                _tensors[prop.Name] = ParseTensor(prop.Name, prop.Value, dataStart, dataLength);
            }
        }

        // Tensors must not share bytes: sort by start and compare neighbours (empty tensors occupy nothing).
        TensorInfo? previous = null;
        foreach (var t in _tensors.Values.Where(t => t.ByteLength > 0).OrderBy(t => t.Begin).ThenBy(t => t.Name, StringComparer.Ordinal))
        {
            if (previous is not null && t.Begin < previous.End)
                throw Corrupt($"corrupt safetensors header: tensors '{Quote(previous.Name)}' and '{Quote(t.Name)}' overlap");
            previous = t;
        }
        return (dataStart, metadata);
    }

    // The format allows only string values in __metadata__.
    void ParseMetadata(JsonElement e, Dictionary<string, string> metadata)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw Corrupt($"corrupt safetensors header: '__metadata__' must be an object of strings, not {Kind(e)}");
        foreach (var m in e.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
                throw Corrupt($"corrupt safetensors header: '__metadata__' entry '{Quote(m.Name)}' must be a string, not {Kind(m.Value)}");
            metadata[m.Name] = m.Value.GetString()!;
        }
    }

    static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    TensorInfo ParseTensor(string name, JsonElement e, long dataStart, long dataLength)
    {
        string where = $"corrupt safetensors header: tensor '{Quote(name)}'";
        if (e.ValueKind != JsonValueKind.Object
            || !e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String
            || !e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array
            || !e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Corrupt($"{where} needs dtype (a string), shape (an array) and data_offsets [begin, end]");
        var dtype = DTypeInfo.FromSafetensorsName(dt.GetString()!)
                    ?? throw Corrupt($"{where} has unsupported dtype '{Quote(dt.GetString()!)}'");
        var shape = new long[sh.GetArrayLength()];
        // The element count is formed with checked arithmetic: a product past 2^63 (or past what the data section can
        // hold) is refused here rather than wrapped into a size that happens to match the offsets.
        long elements = 1;
        int i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long v) || v < 0)
                throw Corrupt($"{where} has an invalid shape: dimension {i} is {d.GetRawText()}, not a non-negative integer");
            shape[i++] = v;
            if (elements != 0 && v != 0 && elements > long.MaxValue / dtype.Size() / v)
                throw Corrupt($"{where} has shape [{string.Join(", ", shape.Take(i))}{(i < shape.Length ? ", ..." : "")}] whose byte size overflows 64 bits");
            elements *= v;
        }
        var offsets = new long[2];
        int k = 0;
        foreach (var o in off.EnumerateArray())
        {
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out long v) || v < 0)
                throw Corrupt($"{where} has invalid data_offsets: {o.GetRawText()} is not a non-negative integer");
            offsets[k++] = v;
        }
        long begin = offsets[0], end = offsets[1];
        if (begin > end)
            throw Corrupt($"{where}: data offsets [{begin}, {end}] end before they begin");
        if (end > dataLength)
            throw Corrupt($"{where}: data offsets [{begin}, {end}] out of range (the data section has {dataLength} bytes; truncated file?)");
        long bytes = elements * dtype.Size();
        if (bytes != end - begin)
            throw Corrupt($"{where}: shape [{string.Join(", ", shape)}] of {dtype.SafetensorsName()} needs {bytes} bytes but its data offsets span {end - begin}");
        return new TensorInfo(name, dtype, shape, this, dataStart + begin, dataStart + end);
    }

    void ReadExactly(Span<byte> destination, long position)
    {
        while (destination.Length > 0)
        {
            int n = RandomAccess.Read(_handle, destination, position);
            if (n <= 0) throw Corrupt($"unexpected end of file at byte {position} (the file shrank while being read?)");
            destination = destination[n..];
            position += n;
        }
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes of the tensor, starting <paramref name="offset"/> bytes into it.</summary>
    public void Read(TensorInfo tensor, Span<byte> destination, long offset = 0)
    {
        if (offset < 0 || offset > tensor.ByteLength - destination.Length) throw new ArgumentOutOfRangeException(nameof(offset));
        long position = tensor.Begin + offset;
        while (destination.Length > 0)
        {
            int n = RandomAccess.Read(_handle, destination, position);
            if (n <= 0) throw Corrupt($"tensor '{Quote(tensor.Name)}': unexpected end of file");
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
        ReadExactly(bytes, 0);
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
