namespace FastVideo.Onnx.Export.Conversion;

/// <summary>
/// Paths compared as the file system sees them: absolute, every symbolic link along the way followed, and compared
/// with the case sensitivity of the platform's usual file systems. Used before anything is deleted or replaced, so
/// that an output can never be, contain or sit inside the folder being read.
/// </summary>
internal static class ResolvedPath
{
    const int MaxLinks = 40;

    static readonly StringComparison Comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
        ? StringComparison.OrdinalIgnoreCase
        : StringComparison.Ordinal;

    /// <summary>The absolute path with links resolved; the part that does not exist yet is appended as written.</summary>
    public static string Of(string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var missing = new Stack<string>();
        string existing = full;
        while (!Path.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            missing.Push(Path.GetFileName(existing));
            existing = parent;
        }
        string resolved = ResolveExisting(existing, 0);
        while (missing.Count > 0) resolved = Path.Combine(resolved, missing.Pop());
        return resolved;
    }

    /// <summary>True when one of the two paths is the other or lies inside it.</summary>
    public static bool Overlap(string a, string b)
    {
        string x = Of(a), y = Of(b);
        return string.Equals(x, y, Comparison) || IsInside(x, y) || IsInside(y, x);
    }

    /// <summary>True when resolved <paramref name="inner"/> lies strictly inside resolved <paramref name="outer"/>.</summary>
    public static bool IsInside(string inner, string outer)
    {
        string prefix = outer.EndsWith(Path.DirectorySeparatorChar) ? outer : outer + Path.DirectorySeparatorChar;
        return inner.Length > prefix.Length && inner.StartsWith(prefix, Comparison);
    }

    static string ResolveExisting(string path, int depth)
    {
        string root = Path.GetPathRoot(path)!;
        string current = root;
        foreach (var segment in path[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, segment);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.LinkTarget is null) continue;
            if (depth >= MaxLinks) throw new IOException($"{path}: too many levels of symbolic links");
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            // The final target may itself sit below linked folders: resolve it again from its root.
            current = target is null ? current : ResolveExisting(Path.TrimEndingDirectorySeparator(target.FullName), depth + 1);
        }
        return Path.TrimEndingDirectorySeparator(current);
    }
}
