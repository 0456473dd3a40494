using NUnit.Framework;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>The console entry point's refusals, which need no GPU.</summary>
public class ProgramTests
{
    static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public void MissingKernelLibraryIsAnErrorNotASkip()
    {
        string path = Path.Combine(Path.GetTempPath(), "fvo-no-such-dir-" + Guid.NewGuid().ToString("N"), CudaKernelEnvironment.LibraryFile);
        var r = Run("--run-gpu-checks", "--kernels", path);
        Assert.That(r.Code, Is.EqualTo(2));
        Assert.That(r.Err.Trim(), Is.EqualTo($"error: {path}: kernel library not found"));
        Assert.That(r.Out, Is.Empty, "no check ran");
    }

    [TestCase(new string[0], "usage:")]
    [TestCase(new[] { "--run-gpu-checks", "--bogus" }, "error: unknown argument '--bogus'")]
    [TestCase(new[] { "--run-gpu-checks", "--kernels" }, "error: --kernels: needs a path")]
    public void BadArgumentsAreRefused(string[] args, string message)
    {
        var r = Run(args);
        Assert.That(r.Code, Is.EqualTo(2));
        Assert.That(r.Err, Does.StartWith(message));
    }
}
