namespace FastVideo.Onnx.Export.Conversion;

/// <summary>
/// A folder the converter is working in (a temporary output, or a previous output being swapped out), marked as in use
/// by an exclusive lock on a file inside it for as long as this object lives. A later run treats a leftover folder as
/// abandoned only when it can take that lock, so it never removes the folder of a conversion that is still running.
/// </summary>
internal sealed class WorkFolder : IDisposable
{
    public const string LockFileName = ".fastvideo-onnx.lock";

    FileStream? _lock;

    public string Path { get; private set; }

    WorkFolder(string path, FileStream @lock)
    {
        Path = path;
        _lock = @lock;
    }

    /// <summary>Creates <paramref name="path"/> (which must not exist) and locks it.</summary>
    public static WorkFolder Create(string path)
    {
        Directory.CreateDirectory(path);
        try
        {
            return new WorkFolder(path, Lock(path, FileMode.CreateNew));
        }
        catch
        {
            Directory.Delete(path, true);
            throw;
        }
    }

    /// <summary>Locks an existing folder (adding the lock file), or returns null when another process holds it.</summary>
    public static WorkFolder? TryTake(string path)
    {
        try
        {
            return new WorkFolder(path, Lock(path, FileMode.OpenOrCreate));
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

    static FileStream Lock(string folder, FileMode mode) =>
        new(System.IO.Path.Combine(folder, LockFileName), mode, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);

    /// <summary>
    /// Renames the folder to <paramref name="target"/> holding the lock where the platform allows it (a folder with an
    /// open file cannot be renamed on Windows). Unless <paramref name="keepLock"/>, the lock file is then removed, so
    /// that the target holds only the output.
    /// </summary>
    public void MoveTo(string target, bool keepLock = false)
    {
        try
        {
            Directory.Move(Path, target);
        }
        catch (IOException) when (OperatingSystem.IsWindows() && _lock is not null)
        {
            ReleaseLock(Path);
            Directory.Move(Path, target);
        }
        Path = target;
        if (!keepLock) ReleaseLock(target);
        else _lock ??= Lock(target, FileMode.OpenOrCreate);
    }

    /// <summary>Deletes the folder and everything in it; the lock goes last.</summary>
    public void Delete()
    {
        if (Directory.Exists(Path))
        {
            foreach (var entry in new DirectoryInfo(Path).EnumerateFileSystemInfos())
            {
                if (entry.Name == LockFileName) continue;
                if (entry is DirectoryInfo { LinkTarget: null } dir) dir.Delete(true);
                else entry.Delete();
            }
        }
        ReleaseLock(Path);
        if (Directory.Exists(Path)) Directory.Delete(Path, true);
    }

    /// <summary>Deletes without throwing: a folder that cannot be removed now is removed by a later run.</summary>
    public void TryDelete()
    {
        try
        {
            Delete();
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    void ReleaseLock(string folder)
    {
        _lock?.Dispose();
        _lock = null;
        try
        {
            File.Delete(System.IO.Path.Combine(folder, LockFileName));
        }
        catch (IOException)
        {
            // An empty, unlocked marker; the folder's content is complete without it being removed.
        }
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}
