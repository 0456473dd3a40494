using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Onnx;

namespace FastVideo.Onnx.Export.Clip;

/// <summary>
/// The image encoder's ONNX signature: <c>pixel_values</c> float32 [batch, channels, image_size, image_size] in,
/// <c>image_embeds</c> float32 [batch, 1 + patches, hidden] out (hidden_states[-2]); batch is dynamic.
/// </summary>
public static class ClipVisionGraph
{
    public const string PixelValues = "pixel_values";
    public const string ImageEmbeds = "image_embeds";

    public static OnnxGraphBuilder Build(ClipVisionModel model, DType computeType)
    {
        var c = model.Config;
        var g = new OnnxGraphBuilder(computeType);
        var pixels = g.Input(PixelValues, DType.Float32, "batch", c.NumChannels, c.ImageSize, c.ImageSize);
        var embeds = model.Forward(g, pixels);
        g.Output(embeds, ImageEmbeds, "batch", c.NumPositions, c.HiddenSize);
        return g;
    }
}
