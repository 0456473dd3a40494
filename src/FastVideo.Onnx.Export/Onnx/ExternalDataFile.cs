namespace FastVideo.Onnx.Export.Onnx;

/// <summary>
/// The external data file beside one or more ONNX graphs of a component. Initializers are appended once, aligned for
/// memory mapping; a second graph that uses the same initializer (the VAE's first-chunk and later-chunk decoders)
/// refers to the bytes already written instead of storing them again.
/// </summary>
internal sealed class ExternalDataFile : IDisposable
{
    const int Alignment = 4096;
    readonly FileStream _stream;
    readonly Dictionary<string, (long Offset, long Length)> _written = new(StringComparer.Ordinal);

    public string Path { get; }
    public string FileName => System.IO.Path.GetFileName(Path);
    public long Length => _stream.Length;

    public ExternalDataFile(string path)
    {
        Path = path;
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
    }

    public bool TryGet(string key, out (long Offset, long Length) location) => _written.TryGetValue(key, out location);

    /// <summary>Aligns, lets <paramref name="write"/> append the tensor's bytes, and records where they went.</summary>
    public (long Offset, long Length) Append(string key, Action<Stream> write)
    {
        long pad = (Alignment - _stream.Position % Alignment) % Alignment;
        if (pad > 0) _stream.Write(new byte[pad]);
        long offset = _stream.Position;
        write(_stream);
        var location = (offset, _stream.Position - offset);
        _written[key] = location;
        return location;
    }

    public void Dispose() => _stream.Dispose();
}
