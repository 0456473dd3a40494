namespace FastVideo.Onnx.Runtime.Output;

/// <summary>
/// Writes go to a temporary name beside the target and are renamed into place at the end, so an error or a
/// cancellation never leaves a partial output file.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<string> writeTemp)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.partial-{Guid.NewGuid().ToString("N")[..8]}");
        try
        {
            writeTemp(temp);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
