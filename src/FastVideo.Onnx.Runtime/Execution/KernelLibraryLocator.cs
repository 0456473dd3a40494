using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>The fused-kernel library a GPU device registers: its path, and whether failing to load it is an error.</summary>
public sealed record KernelLibrary(string Path, bool Required);

/// <summary>Finds the fused-kernel library (native/fastvideo_kernels) from the <see cref="RuntimeOptions.KernelLibrary"/> setting.</summary>
public static class KernelLibraryLocator
{
    public const string FileName = "libfastvideo_kernels.so";
    public const string EnvironmentVariable = "FASTVIDEO_KERNELS";

    /// <summary>
    /// "off": none; a path: that file (required); "auto": <c>$FASTVIDEO_KERNELS</c> (required when set), else the library
    /// beside the application when it is there (optional), else none.
    /// </summary>
    public static KernelLibrary? Find(string setting)
    {
        if (string.Equals(setting, "off", StringComparison.OrdinalIgnoreCase)) return null;
        if (!string.Equals(setting, "auto", StringComparison.OrdinalIgnoreCase))
            return File.Exists(setting) ? new KernelLibrary(Path.GetFullPath(setting), true)
                : throw new InvalidRequestException("Runtime:KernelLibrary", $"{setting} does not exist");
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
            return File.Exists(fromEnvironment) ? new KernelLibrary(Path.GetFullPath(fromEnvironment), true)
                : throw new InvalidRequestException(EnvironmentVariable, $"{fromEnvironment} does not exist");
        string beside = Path.Combine(AppContext.BaseDirectory, FileName);
        return File.Exists(beside) ? new KernelLibrary(beside, false) : null;
    }
}
