using System.Globalization;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>The host's memory as the memory guard and the peak report read it (Linux /proc and cgroup v2 files).</summary>
internal static class HostMemory
{
    /// <summary>
    /// Physical memory available to this process now, in bytes: MemAvailable, capped by the cgroup's limit less its usage
    /// when the process runs in one; -1 when neither can be read (other platforms: the GC's view of available memory).
    /// </summary>
    public static long AvailableBytes()
    {
        long available = MemInfo("MemAvailable");
        if (ReadNumber("/sys/fs/cgroup/memory.max") is long max && ReadNumber("/sys/fs/cgroup/memory.current") is long current)
            available = available < 0 ? max - current : Math.Min(available, max - current);
        if (available >= 0) return available;
        if (OperatingSystem.IsLinux()) return -1;
        var gc = GC.GetGCMemoryInfo();
        return gc.TotalAvailableMemoryBytes - gc.MemoryLoadBytes;
    }

    /// <summary>This process's peak resident memory (VmHWM), in bytes; -1 when it cannot be read.</summary>
    public static long PeakResidentBytes() => Status("VmHWM");

    static long MemInfo(string key) => KibField("/proc/meminfo", key);

    static long Status(string key) => KibField("/proc/self/status", key);

    static long KibField(string path, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
                if (line.StartsWith(key + ":", StringComparison.Ordinal))
                    return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }
        return -1;
    }

    // "max" (no limit) and unreadable files give null.
    static long? ReadNumber(string path)
    {
        try
        {
            return long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
