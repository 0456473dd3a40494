namespace FastVideo.Onnx.Runtime.Output;

/// <summary>
/// The temporary name of one output being written (a file, or the folder of PNG frames), with the lock that marks it
/// as in use: <see cref="AtomicFile.RemoveStalePartials"/> removes a partial output only when it can take this lock.
/// Disposing removes the lock file (the caller removes or renames the partial itself).
/// </summary>
public sealed class PartialOutput : IDisposable
{
    public const string LockSuffix = ".lock";

    readonly FileStream _lock;

    /// <summary>The temporary path to write.</summary>
    public string Path { get; }

    PartialOutput(string path, FileStream lockStream)
    {
        Path = path;
        _lock = lockStream;
    }

    /// <summary>The start of every temporary name of <paramref name="fullPath"/>.</summary>
    public static string Prefix(string fullPath) => $".{System.IO.Path.GetFileName(fullPath)}.partial-";

    public static PartialOutput Create(string fullPath)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(fullPath)!, Prefix(fullPath) + Guid.NewGuid().ToString("N")[..12]);
        // Taken before the partial exists, so a partial is never seen without its lock held.
        var lockStream = new FileStream(path + LockSuffix, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        return new PartialOutput(path, lockStream);
    }

    /// <summary>The lock file opened exclusively, or null when another process holds it (or it cannot be opened).</summary>
    static FileStream? TryLock(string lockFile)
    {
        try
        {
            return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Removes <paramref name="partial"/> and its lock file unless a live writer holds the lock.</summary>
    internal static void RemoveIfAbandoned(string partial)
    {
        // Held until the leftovers are gone.
        using var held = TryLock(partial + LockSuffix);
        if (held is null) return; // a writer is still at work (or the folder is not ours to clean)
        try
        {
            if (Directory.Exists(partial)) Directory.Delete(partial, true);
            else if (File.Exists(partial)) File.Delete(partial);
            File.Delete(partial + LockSuffix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for a later run: removing leftovers is a courtesy, never a reason to fail this write.
        }
    }

    public void Dispose()
    {
        try
        {
            File.Delete(Path + LockSuffix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next write of this name removes it.
        }
        _lock.Dispose();
    }
}
