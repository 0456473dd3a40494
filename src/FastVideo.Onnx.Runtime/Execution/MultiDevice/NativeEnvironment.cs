using System.Runtime.InteropServices;

namespace FastVideo.Onnx.Runtime.Execution.MultiDevice;

/// <summary>The C library's environment, which native libraries read (the .NET environment is a copy of it on Unix).</summary>
internal static partial class NativeEnvironment
{
    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnvPointer(string name);

    /// <summary>The native value of <paramref name="name"/>, or null.</summary>
    internal static string? Get(string name) => Marshal.PtrToStringUTF8(GetEnvPointer(name));
}
