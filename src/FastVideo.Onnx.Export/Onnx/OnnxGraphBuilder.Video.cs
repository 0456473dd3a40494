using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Onnx;

public sealed partial class OnnxGraphBuilder
{
    // ReduceL2 + Max + Div rather than LpNormalization: these three have CUDA kernels, LpNormalization only a CPU one.
    public OnnxValue NormalizeL2(OnnxValue x, int axis, double eps)
    {
        var norm = Node("ReduceL2", new[] { x, Int64s(axis) }, x.DType, attributes: new[] { Attr("keepdims", 1) });
        return Div(x, Max(norm, Scalar(eps, x.DType)));
    }
}
