using FastVideo.Onnx.Export.Modeling;
using static TorchSharp.torch;

namespace FastVideo.Onnx.Export.Torch;

/// <summary>The video compound operators, evaluated step by step exactly as Diffusers writes them.</summary>
public sealed partial class TorchOps
{
    public Tensor ChannelRmsNorm(Tensor x, Parameter gamma, double scale, double eps, bool silu) =>
        VideoFusedOps.ChannelRmsNorm(this, x, gamma, scale, eps, silu);
}
