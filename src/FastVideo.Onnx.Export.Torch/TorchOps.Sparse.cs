using static TorchSharp.torch;

namespace FastVideo.Onnx.Export.Torch;

internal sealed partial class TorchOps
{
    public Tensor Equal(Tensor a, Tensor b) => a.eq(b);
    public Tensor Ceil(Tensor x) => x.ceil();

    public Tensor TopKIndices(Tensor x, Tensor k, int axis) =>
        x.topk((int)k.data<long>()[0], Axis(x, axis), largest: true, sorted: true).indexes;
}
