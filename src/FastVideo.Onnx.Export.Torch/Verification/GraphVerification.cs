using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Torch.Verification;

/// <summary>The outcome of one graph: how far ONNX Runtime's output is from the eager reference's, and whether that is within tolerance.</summary>
internal sealed record GraphVerification(string Component, string GraphFile, DType Precision, double MaxAbsError, double Cosine, double ReferenceMaxAbs)
{
    public bool Passed => VerificationTolerance.Accepts(Precision, MaxAbsError, Cosine, ReferenceMaxAbs);

    public string Summary =>
        $"{Component} ({GraphFile}, {Precision.ShortName()}): max abs error {MaxAbsError:0.###e0}, cosine {Cosine:0.000000} " +
        $"({(Passed ? "within" : "outside")} tolerance: {VerificationTolerance.Describe(Precision)})";

    public static GraphVerification Measure(string component, string graphFile, DType precision, ReadOnlySpan<float> actual, ReadOnlySpan<float> reference)
    {
        if (actual.Length != reference.Length)
            throw new InvalidOperationException($"{component} ({graphFile}): {actual.Length} values from ONNX Runtime, {reference.Length} from the reference");
        double maxAbs = 0, refMax = 0, dot = 0, na = 0, nr = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double a = actual[i], r = reference[i];
            double d = Math.Abs(a - r);
            // NaN anywhere is a failure, never a pass: it makes the error infinite
            maxAbs = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(maxAbs, d);
            refMax = Math.Max(refMax, Math.Abs(r));
            dot += a * r;
            na += a * a;
            nr += r * r;
        }
        double cosine = na == 0 && nr == 0 ? 1 : dot / Math.Sqrt(na * nr);
        if (double.IsNaN(cosine)) cosine = 0;
        return new GraphVerification(component, graphFile, precision, maxAbs, cosine, refMax);
    }
}
