using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace FastVideo.Onnx.Export.Torch;

public sealed partial class TorchOps
{
    public Tensor NormalizeL2(Tensor x, int axis, double eps) => F.normalize(x, 2.0, axis, eps);
}
