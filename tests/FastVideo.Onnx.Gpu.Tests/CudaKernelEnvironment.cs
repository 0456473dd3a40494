using Microsoft.ML.OnnxRuntime;
using NUnit.Framework;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>
/// Where the kernel library is (FASTVIDEO_KERNELS, else native/fastvideo_kernels/build/libfastvideo_kernels.so) and
/// whether ONNX Runtime's CUDA provider starts here; a test that needs either calls <see cref="RequireOrIgnore"/>.
/// </summary>
public static class CudaKernelEnvironment
{
    static readonly Lazy<(string? Library, string? Missing)> State = new(Probe);

    public static string Library => RequireOrIgnore();

    /// <summary>The kernel library's path; ignores the calling test (Assert.Ignore) when it or CUDA is unavailable.</summary>
    public static string RequireOrIgnore()
    {
        var (library, missing) = State.Value;
        if (missing is not null) Assert.Ignore(missing);
        return library!;
    }

    static (string?, string?) Probe()
    {
        string? library = Environment.GetEnvironmentVariable("FASTVIDEO_KERNELS");
        if (string.IsNullOrEmpty(library))
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FastVideo.Onnx.sln"))) dir = dir.Parent;
            library = dir is null ? null : Path.Combine(dir.FullName, "native", "fastvideo_kernels", "build", "libfastvideo_kernels.so");
        }
        if (library is null || !File.Exists(library))
            return (null, "no kernel library: build native/fastvideo_kernels (build.sh) or set FASTVIDEO_KERNELS");
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
}
