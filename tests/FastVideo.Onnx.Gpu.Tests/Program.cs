using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>
/// The GPU checks without the .NET SDK (a self-contained publish of this project): <c>--run-gpu-checks [--kernels PATH]</c>
/// runs every <see cref="KernelParityCheck"/> case and every <see cref="VsaParityCheck"/> case, one line each, then
/// "N passed, N failed". Exit code 0 when all pass, 1 when any fails, 2 when the checks cannot run (bad arguments, no
/// kernel library, no CUDA provider): on a GPU machine a missing provider is a failure, not a skip.
/// </summary>
internal static class Program
{
    public const string Usage = "usage: FastVideo.Onnx.Gpu.Tests --run-gpu-checks [--kernels PATH]   (PATH: libfastvideo_kernels.so)";

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? library = null;
        bool run = false;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--run-gpu-checks": run = true; break;
                case "--kernels" when i + 1 < args.Count: library = args[++i]; break;
                case "--kernels":
                    stderr.WriteLine("error: --kernels: needs a path to libfastvideo_kernels.so");
                    return 2;
                default:
                    stderr.WriteLine($"error: unknown argument '{args[i]}'");
                    stderr.WriteLine(Usage);
                    return 2;
            }
        }
        if (!run)
        {
            stderr.WriteLine(Usage);
            return 2;
        }
        var (found, missing) = CudaKernelEnvironment.Probe(library);
        if (missing is not null)
        {
            stderr.WriteLine($"error: {missing}");
            return 2;
        }
        stdout.WriteLine($"kernel library: {found}");
        int passed = 0, failed = 0;
        void Check(string label, Func<(bool Passed, string Line)> run)
        {
            try
            {
                var (ok, line) = run();
                stdout.WriteLine($"{(ok ? "ok  " : "FAIL")} {line}");
                if (ok) passed++; else failed++;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // One broken case (a kernel that throws, a session that does not load) must not hide the others.
                stdout.WriteLine($"FAIL {label}: {e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}");
                failed++;
            }
        }
        foreach (var (kernelCase, type) in KernelParityCheck.Cases())
            Check($"{kernelCase.Name} {type.ShortName()}", () =>
            {
                var result = KernelParityCheck.Run(kernelCase, type, found!);
                return (result.Passed, result.ToString());
            });
        foreach (var vsaCase in VsaCases.All())
            Check(vsaCase.ToString(), () =>
            {
                var result = VsaParityCheck.Run(vsaCase, found!);
                return (result.Passed, result.ToString());
            });
        stdout.WriteLine(FormattableString.Invariant(
            $"{passed} passed, {failed} failed (cosine >= {KernelParityCheck.MinCosine}; VSA: cosine >= {VsaParityCheck.MinCosine}, max abs error <= {VsaParityCheck.MaxAbsError})"));
        return failed == 0 ? 0 : 1;
    }
}
