using FastVideo.Onnx.Core.Tensors;
using NUnit.Framework;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>
/// <see cref="KernelParityCheck"/> under <c>dotnet test</c>: every case is ignored without CUDA or the kernel library;
/// the graphs each case compares are checked everywhere.
/// </summary>
public class KernelParityTests
{
    static IEnumerable<TestCaseData> Cases() =>
        KernelParityCheck.Cases().Select(c => new TestCaseData(c.Case, c.Type).SetName($"{c.Case.Name} {c.Type.ShortName()}"));

    [TestCaseSource(nameof(Cases))]
    public void KernelMatchesItsReferenceComposition(KernelCase kernelCase, DType type)
    {
        string library = CudaKernelEnvironment.RequireOrIgnore();
        var result = KernelParityCheck.Run(kernelCase, type, library);
        TestContext.Out.WriteLine(result.ToString());
        Assert.That(result.Cosine, Is.GreaterThanOrEqualTo(KernelParityCheck.MinCosine), $"max abs error {result.MaxAbs:E3}");
    }

    [TestCaseSource(nameof(Cases))]
    public void FusedGraphHasTheKernelAndTheReferenceIsPortable(KernelCase kernelCase, DType type) =>
        Assert.DoesNotThrow(() => KernelParityCheck.Graphs(kernelCase, new KernelCaseModel(), type));
}
