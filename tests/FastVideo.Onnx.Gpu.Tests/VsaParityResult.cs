namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>The VSA kernel against its reference composition: cosine similarity and largest absolute difference of the outputs.</summary>
internal sealed record VsaParityResult(VsaCase Case, double Cosine, double MaxAbs)
{
    // NaN fails both comparisons, so a NaN that reached either figure fails the case.
    public bool Passed => Cosine >= VsaParityCheck.MinCosine && MaxAbs <= VsaParityCheck.MaxAbsError;

    public override string ToString() => $"{Case}: cosine {Cosine:F7}, max abs error {MaxAbs:E3}";
}
