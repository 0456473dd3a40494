using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using static TorchSharp.torch;

namespace FastVideo.Onnx.Export.Torch;

/// <summary>The compound operators, evaluated step by step exactly as Diffusers writes them.</summary>
public sealed partial class TorchOps
{
    public Tensor ModulatedLayerNorm(Tensor x, long size, Parameter? weight, Parameter? bias, double eps, Tensor? scale, Tensor? shift) =>
        FusedOps.ModulatedLayerNorm(this, x, size, weight, bias, eps, scale, shift);

    public (Tensor, Tensor) ResidualLayerNorm(Tensor x, Tensor y, Parameter? bias, Tensor? gate, long size, Parameter? weight, Parameter? normBias,
        double eps, Tensor? scale, Tensor? shift) =>
        FusedOps.ResidualLayerNorm(this, x, y, bias, gate, size, weight, normBias, eps, scale, shift);

    public Tensor GatedResidual(Tensor x, Tensor y, Parameter? bias, Tensor? gate) => FusedOps.GatedResidual(this, x, y, bias, gate);

    public Tensor RmsNormRotary(Tensor y, Parameter? bias, long size, Parameter weight, double eps, (Tensor Cos, Tensor Sin)? rotary, int heads) =>
        FusedOps.RmsNormRotary(this, y, bias, size, weight, eps, rotary, heads);

    public Tensor BiasGelu(Tensor x, Parameter bias, bool tanhApproximation) => FusedOps.BiasGelu(this, x, bias, tanhApproximation);

    public Tensor LinearGelu(Tensor x, Parameter weight, Parameter bias, bool tanhApproximation) =>
        FusedOps.LinearGelu(this, x, weight, bias, tanhApproximation);
}
