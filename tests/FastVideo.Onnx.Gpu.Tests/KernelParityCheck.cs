using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Onnx;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>
/// Each com.fastvideo kernel against its reference composition, both on the CUDA provider, on random inputs and random
/// weights, in float32 and float16: the outputs' cosine similarity must be at least <see cref="MinCosine"/>
/// (VideoSparseAttention: <see cref="VsaParityCheck"/>). Run by
/// <see cref="KernelParityTests"/> under <c>dotnet test</c> and by <see cref="Program"/> where there is no SDK.
/// </summary>
internal static class KernelParityCheck
{
    public const double MinCosine = 0.9999;

    public static IEnumerable<(KernelCase Case, DType Type)> Cases() =>
        from c in KernelCases.All()
        from type in new[] { DType.Float32, DType.Float16 }
        select (c, type);

    /// <summary>
    /// The fused graph (exactly one node of the operator under test) and the portable reference (no com.fastvideo node)
    /// of <paramref name="kernelCase"/>; throws when either is not so, since the comparison would then test nothing.
    /// </summary>
    public static (OnnxGraphBuilder Fused, OnnxGraphBuilder Reference) Graphs(KernelCase kernelCase, KernelCaseModel model, DType type)
    {
        var fused = kernelCase.Build(model, type, fused: true);
        var reference = kernelCase.Build(model, type, fused: false);
        GraphPair.Check(kernelCase.Name, fused, reference, kernelCase.Operator);
        return (fused, reference);
    }

    public static KernelParityResult Run(KernelCase kernelCase, DType type, string library)
    {
        var model = new KernelCaseModel();
        var weights = new RandomWeights(model.Parameters(), DType.Float32);
        var (fused, reference) = Graphs(kernelCase, model, type);

        var random = new Random(7);
        var inputs = kernelCase.Inputs.Select(i => (i.Name, i.Float32 ? DType.Float32 : type, i.Shape,
            Values: Enumerable.Range(0, (int)i.Shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray())).ToList();

        return GraphPair.Run(fused, reference, weights, (fusedPath, referencePath) =>
        {
            var actual = GraphPair.Execute(fusedPath, library, inputs, type);
            var expected = GraphPair.Execute(referencePath, library, inputs, type);
            var (cosine, maxAbs) = OutputComparison.Of(kernelCase.Name, actual, expected);
            return new KernelParityResult(kernelCase.Name, type, cosine, maxAbs);
        });
    }
}
