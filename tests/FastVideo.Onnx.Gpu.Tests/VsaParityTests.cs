using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Onnx;
using NUnit.Framework;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>
/// <see cref="VsaParityCheck"/> under <c>dotnet test</c>: every kernel run is ignored without CUDA or the kernel library;
/// the graphs each case compares, the rounding of the inputs and the pass rule are checked everywhere.
/// </summary>
internal class VsaParityTests
{
    static IEnumerable<TestCaseData> Cases() => VsaCases.All().Select(c => new TestCaseData(c).SetName(c.ToString()));

    static readonly VsaCase Small = new(2, 5, 6, 7, 2, 64, 0.5f, DType.BFloat16);

    [TestCaseSource(nameof(Cases))]
    public void KernelMatchesItsReferenceComposition(VsaCase vsaCase)
    {
        string library = CudaKernelEnvironment.RequireOrIgnore();
        var result = VsaParityCheck.Run(vsaCase, library);
        TestContext.Out.WriteLine(result.ToString());
        Assert.That(result.Cosine, Is.GreaterThanOrEqualTo(VsaParityCheck.MinCosine), $"max abs error {result.MaxAbs:E3}");
        Assert.That(result.MaxAbs, Is.LessThanOrEqualTo(VsaParityCheck.MaxAbsError), $"cosine {result.Cosine:F7}");
    }

    [TestCaseSource(nameof(Cases))]
    public void FusedGraphHasOneVsaNodeAndTheReferenceIsTheComposition(VsaCase vsaCase)
    {
        var (fused, reference) = VsaParityCheck.Graphs(vsaCase);
        Assert.That(fused.Nodes.Count(n => n.Domain == FastVideoKernels.Domain && n.OpType == FastVideoKernels.VideoSparseAttention.Name), Is.EqualTo(1));
        Assert.That(fused.Nodes.Any(n => n.OpType == "TopK"), Is.False, "the kernel selects the tiles itself");
        Assert.That(reference.Nodes.Where(n => n.Domain == FastVideoKernels.Domain), Is.Empty);
        Assert.That(reference.Nodes.Count(n => n.OpType == "TopK"), Is.EqualTo(1), "the composition's tile selection");
        Assert.That(fused.Inputs.Select(i => fused.ValueTypes[i.Name]), Is.All.EqualTo(vsaCase.Type));
        Assert.That(reference.Inputs.Select(i => reference.ValueTypes[i.Name]), Is.All.EqualTo(DType.Float32));
        Assert.That(fused.Inputs.Select(i => i.Name), Is.EqualTo(VsaCase.InputNames));
        Assert.That(reference.Inputs.Select(i => i.Name), Is.EqualTo(VsaCase.InputNames));
    }

    [TestCase(32, DType.BFloat16)]
    [TestCase(128, DType.Float32)]
    public void ShapeTheKernelDoesNotRunIsRefused(int headDim, DType type)
    {
        // the fused builder keeps the composition there, so a comparison would put the reference against itself
        var unsupported = Small with { HeadDim = headDim, Type = type };
        Assert.That(() => VsaParityCheck.Graphs(unsupported), Throws.InvalidOperationException.With.Message.Contains("0 VideoSparseAttention nodes"));
    }

    [Test]
    public void RoundingGivesValuesOfTheType()
    {
        float between = 1 + MathF.Pow(2, -10);  // bfloat16 has 7 mantissa bits, float16 10
        Assert.That(VsaParityCheck.RoundTo(new[] { between, 1.5f, -0.375f }, DType.BFloat16), Is.EqualTo(new[] { 1f, 1.5f, -0.375f }));
        Assert.That(VsaParityCheck.RoundTo(new[] { between, 1 + MathF.Pow(2, -12) }, DType.Float16), Is.EqualTo(new[] { between, 1f }));
        Assert.That(VsaParityCheck.RoundTo(new[] { between }, DType.Float32), Is.EqualTo(new[] { between }));

        var random = new Random(3);
        var values = Enumerable.Range(0, 1000).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var bf16 = VsaParityCheck.RoundTo(values, DType.BFloat16);
        Assert.That(bf16.Select(v => BitConverter.SingleToInt32Bits(v) & 0xFFFF), Is.All.Zero, "a bfloat16 is the upper half of a float32");
        Assert.That(bf16.Zip(values, (r, v) => Math.Abs(r - v) <= Math.Abs(v) * MathF.Pow(2, -8)), Is.All.True, "within half a bfloat16 step");
        Assert.That(bf16.Zip(values).Count(p => p.First != p.Second), Is.GreaterThan(900), "random float32 values are rarely bfloat16 values");
        var fp16 = VsaParityCheck.RoundTo(values, DType.Float16);
        Assert.That(fp16.Select(v => (float)(Half)v), Is.EqualTo(fp16), "every value is a float16");
        Assert.That(fp16.Zip(values, (r, v) => r == (float)(Half)v), Is.All.True, "the nearest float16");
        Assert.That(VsaParityCheck.RoundTo(bf16, DType.BFloat16), Is.EqualTo(bf16));
    }

    [Test]
    public void ComparisonPassesOnlyWithinBothTolerances()
    {
        var expected = Enumerable.Range(0, 256).Select(i => MathF.Sin(i)).ToArray();
        Assert.That(VsaParityCheck.Compare(Small, expected, expected).Passed, Is.True);

        var nan = (float[])expected.Clone();
        nan[17] = float.NaN;
        var result = VsaParityCheck.Compare(Small, nan, expected);
        Assert.That(result.Passed, Is.False, "a NaN output fails");
        Assert.That(result.MaxAbs, Is.EqualTo(double.PositiveInfinity));
        Assert.That(VsaParityCheck.Compare(Small, expected, nan).Passed, Is.False, "so does a NaN in the reference");
        Assert.That(VsaParityCheck.Compare(Small, new float[expected.Length], expected).Passed, Is.False, "an all-zero output fails");

        var offByOne = (float[])expected.Clone();
        offByOne[5] += 0.05f;  // cosine stays above 0.999, max abs does not stay under 2e-2
        result = VsaParityCheck.Compare(Small, offByOne, expected);
        Assert.That(result.Cosine, Is.GreaterThan(VsaParityCheck.MinCosine));
        Assert.That(result.Passed, Is.False);

        Assert.That(() => VsaParityCheck.Compare(Small, expected[1..], expected), Throws.InvalidOperationException);
    }
}
