using static TorchSharp.torch;

namespace FastVideo.Onnx.Export.Torch;

public sealed partial class TorchOps
{
    public Tensor Range(Tensor length) => arange(length.data<long>()[0], ScalarType.Int64);
}
