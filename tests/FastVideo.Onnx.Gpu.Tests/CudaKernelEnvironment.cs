using Microsoft.ML.OnnxRuntime;
using NUnit.Framework;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>
/// Where the kernel library is (FASTVIDEO_KERNELS, else beside this executable, else
/// native/fastvideo_kernels/build/libfastvideo_kernels.so of the source tree) and whether ONNX Runtime's CUDA provider
/// starts here with it; a test that needs either calls <see cref="RequireOrIgnore"/>.
/// </summary>
public static class CudaKernelEnvironment
{
    public const string LibraryFile = "libfastvideo_kernels.so";

    static readonly Lazy<(string? Library, string? Missing)> State = new(() => Probe(null));

    /// <summary>The kernel library's path; ignores the calling test (Assert.Ignore) when it or CUDA is unavailable.</summary>
    public static string RequireOrIgnore()
    {
        var (library, missing) = State.Value;
        if (missing is not null) Assert.Ignore(missing);
        return library!;
    }

    /// <summary>
    /// The kernel library (<paramref name="library"/>, or where it is looked for when null) and, when it or the CUDA
    /// provider is unavailable, why (null when both are there).
    /// </summary>
    public static (string? Library, string? Missing) Probe(string? library)
    {
        library ??= Locate();
        if (library is null || !File.Exists(library))
            return (null, library is null
                ? $"no kernel library: build native/fastvideo_kernels (build.sh), put {LibraryFile} beside this executable or set FASTVIDEO_KERNELS"
                : $"{library}: kernel library not found");
        // The CUDA provider is created only after the library was found, so machines without either never load it.
        try
        {
            using var options = new SessionOptions();
            options.AppendExecutionProvider_CUDA(0);
            options.RegisterCustomOpLibrary(library);
            return (library, null);
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            return (null, "ONNX Runtime's CUDA provider does not start here: " + e.Message.Split('\n')[0].Trim());
        }
    }

    static string? Locate()
    {
        string? library = Environment.GetEnvironmentVariable("FASTVIDEO_KERNELS");
        if (!string.IsNullOrEmpty(library)) return library;
        string beside = Path.Combine(AppContext.BaseDirectory, LibraryFile);
        if (File.Exists(beside)) return beside;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FastVideo.Onnx.sln"))) dir = dir.Parent;
        return dir is null ? null : Path.Combine(dir.FullName, "native", "fastvideo_kernels", "build", LibraryFile);
    }
}
