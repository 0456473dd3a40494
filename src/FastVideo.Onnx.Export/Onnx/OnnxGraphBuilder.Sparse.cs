using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Onnx;

public partial class OnnxGraphBuilder
{
    public OnnxValue Equal(OnnxValue a, OnnxValue b)
    {
        var (pa, pb) = Promote(a, b);
        return Node("Equal", new[] { pa, pb }, DType.Bool);
    }

    public OnnxValue Ceil(OnnxValue x) => Unary("Ceil", x);

    public OnnxValue TopKIndices(OnnxValue x, OnnxValue k, int axis) =>
        NodeMulti("TopK", new[] { x, k }, new[] { x.DType, DType.Int64 },
            attributes: new[] { Attr("axis", axis), Attr("largest", 1), Attr("sorted", 1) })[1];
}
