namespace FastVideo.Onnx.Fuzz;

/// <summary>
/// A private temporary folder where each input is written as the file a reader expects (the readers take paths,
/// and non-regular-file checks are part of what is fuzzed); deleted when the harness exits.
/// </summary>
public sealed class ScratchFolder : IDisposable
{
    public string Path { get; }

    public ScratchFolder()
    {
        string root = Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();
        Path = System.IO.Path.Combine(root, "fvo-fuzz-" + Environment.ProcessId);
        Directory.CreateDirectory(Path);
    }

    /// <summary>Writes <paramref name="input"/> as <paramref name="name"/> in the scratch folder (a subfolder is created when named) and returns its path.</summary>
    public string Write(string name, ReadOnlySpan<byte> input)
    {
        string path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write)) stream.Write(input);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, true);
        }
        catch (IOException)
        {
        }
    }
}
