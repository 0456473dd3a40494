using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>
/// The Video Sparse Attention kernel against its reference composition, both on the CUDA provider, for each
/// <see cref="VsaCases"/> shape: the kernel in bfloat16 or float16, the reference in float32 on the same numbers (random
/// inputs rounded to the kernel's type). The outputs must agree to <see cref="MinCosine"/> and <see cref="MaxAbsError"/>.
/// Run by <see cref="VsaParityTests"/> under <c>dotnet test</c> and by <see cref="Program"/> where there is no SDK.
/// </summary>
internal static class VsaParityCheck
{
    // Looser than the other kernels' 0.9999, which compare with a reference in the same type: this kernel rounds the
    // attention probabilities (for the tensor-core P·V product) and its output to bfloat16/float16, the float32 reference
    // neither. The same bounds as the kernel's standalone check (native/fastvideo_kernels/test/vsa_test.cu).
    public const double MinCosine = 0.999;
    public const double MaxAbsError = 2e-2;

    /// <summary>
    /// The fused graph (exactly one <c>VideoSparseAttention</c> node) and the portable reference (no com.fastvideo node)
    /// of <paramref name="vsaCase"/>; throws when either is not so (a shape the kernel does not run falls back to the
    /// composition, and the comparison would then test nothing).
    /// </summary>
    public static (OnnxGraphBuilder Fused, OnnxGraphBuilder Reference) Graphs(VsaCase vsaCase)
    {
        var fused = vsaCase.Build(fused: true);
        var reference = vsaCase.Build(fused: false);
        GraphPair.Check(vsaCase.ToString(), fused, reference, FastVideoKernels.VideoSparseAttention.Name);
        return (fused, reference);
    }

    public static VsaParityResult Run(VsaCase vsaCase, string library)
    {
        var (fused, reference) = Graphs(vsaCase);
        var random = new Random(7);
        var values = VsaCase.InputNames.Select(_ => RoundTo(Uniform(random, vsaCase.Elements), vsaCase.Type)).ToList();
        List<(string, DType, long[], float[])> Inputs(DType type) => VsaCase.InputNames.Select((n, i) => (n, type, vsaCase.Shape, values[i])).ToList();

        // The reference's coarse scores rank the key tiles: TF32 matmuls would round their operands to 10-bit mantissas
        // and could select other tiles than the kernel's float32 coarse stage does.
        return GraphPair.Run(fused, reference, null, (fusedPath, referencePath) => Compare(vsaCase,
            GraphPair.Execute(fusedPath, library, Inputs(vsaCase.Type), vsaCase.Type),
            GraphPair.Execute(referencePath, library, Inputs(DType.Float32), DType.Float32, tf32: false)));
    }

    /// <summary>Each value rounded to the nearest value of <paramref name="type"/> (bfloat16, float16 or float32), as a float.</summary>
    public static float[] RoundTo(float[] values, DType type) => type switch
    {
        DType.BFloat16 => values.Select(v => (float)(BFloat16)v).ToArray(),
        DType.Float16 => values.Select(v => (float)(Float16)v).ToArray(),
        DType.Float32 => (float[])values.Clone(),
        _ => throw new NotSupportedException($"no rounding to {type}"),
    };

    /// <summary>Cosine similarity and max abs difference of the kernel's output against the reference's.</summary>
    public static VsaParityResult Compare(VsaCase vsaCase, float[] actual, float[] expected)
    {
        var (cosine, maxAbs) = OutputComparison.Of(vsaCase.ToString(), actual, expected);
        return new VsaParityResult(vsaCase, cosine, maxAbs);
    }

    static float[] Uniform(Random random, long count)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
