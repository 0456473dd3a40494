using FastVideo.Onnx.Core.Contracts.Clip;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Onnx;

namespace FastVideo.Onnx.Export.Clip;

/// <summary>The image encoder's ONNX graph, its signature written from <see cref="ClipVisionContract"/>; batch is dynamic.</summary>
public static class ClipVisionGraph
{
    public const string PixelValues = ClipVisionContract.PixelValues;
    public const string ImageEmbeds = ClipVisionContract.ImageEmbeds;

    public static OnnxGraphBuilder Build(ClipVisionModel model, DType computeType)
    {
        var c = model.Config;
        var contract = new ClipVisionContract(c.NumChannels, c.ImageSize, c.PatchSize, c.HiddenSize).Graph;
        var g = new OnnxGraphBuilder(computeType);
        var pixels = g.Input(contract.Inputs.Single());
        var embeds = model.Forward(g, pixels);
        g.Output(embeds, contract.Outputs.Single());
        return g;
    }
}
