using System.Runtime.InteropServices;
using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Core.IO;

/// <summary>
/// Checks made before a file of a model folder is opened: it must exist and be a regular file. Opening a named pipe
/// for reading blocks until something writes to it, and a device or socket never ends, so these are refused by
/// their type, naming the file, without opening them.
/// </summary>
internal static class UntrustedFile
{
    /// <summary>Throws <see cref="ModelFormatException"/> unless <paramref name="path"/> is an existing regular file (symbolic links are followed).</summary>
    public static void RequireRegular(string path)
    {
        if (Directory.Exists(path)) throw new ModelFormatException(path, "is a directory, not a file");
        if (!File.Exists(path)) throw new ModelFormatException(path, "file not found");
        if (OperatingSystem.IsLinux() && FileType(path) is { } type && type != RegularType)
            throw new ModelFormatException(path, $"is {Describe(type)}, not a regular file; refusing to read it");
    }

    /// <summary>The whole file, refused with a one-line error when it is not a regular file or larger than <paramref name="maxBytes"/>.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        RequireRegular(path);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = RandomAccess.GetLength(handle);
        if (length > maxBytes)
            throw new ModelFormatException(path, $"is {length} bytes, larger than the {maxBytes} bytes a file of this kind may have");
        var bytes = new byte[length];
        int done = 0;
        while (done < bytes.Length)
        {
            int n = RandomAccess.Read(handle, bytes.AsSpan(done), done);
            if (n <= 0) throw new ModelFormatException(path, $"ended after {done} of {length} bytes while being read");
            done += n;
        }
        return bytes;
    }

    const int TypeMask = 0xF000, RegularType = 0x8000;

    static string Describe(int type) => type switch
    {
        0x1000 => "a named pipe (FIFO)",
        0x2000 => "a character device",
        0x6000 => "a block device",
        0xC000 => "a socket",
        0x4000 => "a directory",
        _ => $"a special file (type 0x{type:X4})",
    };

    // statx(2) has the same layout on every Linux architecture (stx_mode: a 16-bit field at byte 28), unlike stat(2).
    const int AtFdCwd = -100;
    const uint StatxType = 0x1;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    static extern int Statx(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    // The file's type bits, or null where the call is unavailable (then only the managed checks apply).
    static int? FileType(string path)
    {
        try
        {
            var buffer = new byte[256];
            if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0) return null;
            return BitConverter.ToUInt16(buffer, 28) & TypeMask;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }
}
