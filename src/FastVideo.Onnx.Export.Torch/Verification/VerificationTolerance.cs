using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Torch.Verification;

/// <summary>
/// When a graph agrees with the eager reference. float32: the largest absolute difference is at most 1e-4 of the
/// reference's magnitude (at least 1), what differing kernel orderings leave. 16-bit precisions round every
/// intermediate differently in the two backends, so they are held to direction instead: cosine similarity ≥ 0.999.
/// </summary>
internal static class VerificationTolerance
{
    public const double Float32Relative = 1e-4;
    public const double HalfCosine = 0.999;

    public static bool Accepts(DType precision, double maxAbsError, double cosine, double referenceMaxAbs) =>
        precision == DType.Float32 ? maxAbsError <= Float32Relative * Math.Max(1.0, referenceMaxAbs) : cosine >= HalfCosine;

    public static string Describe(DType precision) =>
        precision == DType.Float32 ? $"max abs error <= {Float32Relative:0e0} x max(1, max |reference|)" : $"cosine >= {HalfCosine}";
}
