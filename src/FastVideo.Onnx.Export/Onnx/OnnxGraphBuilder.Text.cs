using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Onnx;

public sealed partial class OnnxGraphBuilder
{
    // ONNX Range takes scalars; the length arrives as a [1] vector from Dim/Shape.
    public OnnxValue Range(OnnxValue length) =>
        Node("Range", new[] { Scalar(0, DType.Int64), Squeeze(length, 0), Scalar(1, DType.Int64) }, DType.Int64);
}
