using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>One kernel against its reference composition: cosine similarity and largest absolute difference of the outputs.</summary>
public sealed record KernelParityResult(string Case, DType Type, double Cosine, double MaxAbs)
{
    public bool Passed => Cosine >= KernelParityCheck.MinCosine;

    public override string ToString() => $"{Case} {Type.ShortName()}: cosine {Cosine:F7}, max abs error {MaxAbs:E3}";
}
