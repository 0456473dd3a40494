using System.Runtime.InteropServices;
using System.Text;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Core;

/// <summary>Builders of malformed inputs for the readers' hardening tests.</summary>
public static class HostileFiles
{
    /// <summary>A safetensors file with exactly this header (raw bytes, unpadded) and <paramref name="dataBytes"/> zero bytes of data.</summary>
    public static string Safetensors(string path, byte[] header, int dataBytes)
    {
        var bytes = new byte[8 + header.Length + dataBytes];
        BitConverter.GetBytes((ulong)header.Length).CopyTo(bytes, 0);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static string Safetensors(string path, string header, int dataBytes) => Safetensors(path, Encoding.UTF8.GetBytes(header), dataBytes);

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    static extern int MkFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    /// <summary>Creates a named pipe at <paramref name="path"/> (Linux and macOS); the test is skipped elsewhere.</summary>
    public static string Fifo(string path)
    {
        if (OperatingSystem.IsWindows()) Assert.Ignore("named pipes in the file system are a Unix feature");
        Assert.That(MkFifo(path, 0x1B6), Is.EqualTo(0), $"mkfifo failed (errno {Marshal.GetLastPInvokeError()})");
        return path;
    }

    /// <summary>Runs <paramref name="open"/>, which must fail fast with <typeparamref name="T"/> rather than block (a reader that opens a FIFO waits for a writer forever).</summary>
    public static T FailsWithoutBlocking<T>(Action open) where T : Exception
    {
        var task = Task.Run(open);
        bool finished = Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(20))).Result == task;
        Assert.That(finished, Is.True, "the reader blocked on a named pipe");
        var e = task.Exception?.InnerException;
        Assert.That(e, Is.InstanceOf<T>(), $"expected {typeof(T).Name}, got {e}");
        return (T)e!;
    }

    /// <summary>A message fit for "error: ..." on one line.</summary>
    public static void AssertOneLine(string message) => Assert.That(message, Does.Not.Contain("\n").And.Not.Contain("\r"));
}
