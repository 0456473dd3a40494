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

    public OnnxValue TopKIndices(OnnxValue x, OnnxValue k, int axis)
    {
        // TopK has no bfloat16 type before opset 24 (a bf16 graph would not load); widening is exact, so the indices are the same.
        if (x.DType == DType.BFloat16 && Opset < 24) x = Cast(x, DType.Float32);
        return NodeMulti("TopK", new[] { x, k }, new[] { x.DType, DType.Int64 },
            attributes: new[] { Attr("axis", axis), Attr("largest", 1), Attr("sorted", 1) })[1];
    }
}
