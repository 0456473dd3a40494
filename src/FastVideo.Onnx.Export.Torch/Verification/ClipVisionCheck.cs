using FastVideo.Onnx.Export.Clip;
using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Torch.Verification;

/// <summary>The image encoder on one random image of its input size.</summary>
[ComponentCheck("CLIPVisionModel")]
internal sealed class ClipVisionCheck : IComponentCheck
{
    public IReadOnlyList<GraphCase> Cases(ModelDefinition model, SeededInputs inputs)
    {
        var encoder = (ClipVisionModel)model;
        var c = encoder.Config;
        var list = new[] { inputs.Normal(ClipVisionGraph.PixelValues, 1, c.NumChannels, c.ImageSize, c.ImageSize) };
        return new[]
        {
            new GraphCase(ClipVisionExporter.GraphFile, list, ClipVisionGraph.ImageEmbeds, (ops, x) => encoder.Forward(ops, x[ClipVisionGraph.PixelValues])),
        };
    }
}
