namespace FastVideo.Onnx.Runtime.Output;

/// <summary>
/// Writes go to a temporary name beside the target (<c>.NAME.partial-ID</c>) and are renamed into place at the end, so
/// an error or a cancellation never leaves a partial output file. While a write is in progress its writer holds an
/// exclusive lock on <c>.NAME.partial-ID.lock</c>; a process that was killed leaves both behind, and the next write of
/// the same name removes them (only those of its own name, and only when no live writer holds their lock).
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<string> writeTemp, CancellationToken cancel = default)
    {
        string full = Path.GetFullPath(path);
        RemoveStalePartials(full);
        using var partial = PartialOutput.Create(full);
        try
        {
            writeTemp(partial.Path);
            cancel.ThrowIfCancellationRequested();
            File.Move(partial.Path, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(partial.Path)) File.Delete(partial.Path);
        }
    }

    /// <summary>
    /// Removes the temporary files and folders that earlier writes of <paramref name="fullPath"/> left behind when their
    /// process died, skipping any whose writer is still running (its lock is held).
    /// </summary>
    public static void RemoveStalePartials(string fullPath)
    {
        string folder = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(folder)) return;
        string prefix = PartialOutput.Prefix(fullPath);
        var partials = Directory.EnumerateFileSystemEntries(folder)
            .Where(e => Path.GetFileName(e).StartsWith(prefix, StringComparison.Ordinal))
            .Select(e => e.EndsWith(PartialOutput.LockSuffix, StringComparison.Ordinal) ? e[..^PartialOutput.LockSuffix.Length] : e)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        foreach (var partial in partials) PartialOutput.RemoveIfAbandoned(partial);
    }
}
