using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Pipelines;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>The conditioning image (decoded once, by input validation) to the image encoder's tokens (image-to-video).</summary>
public sealed class ImageEncodingStage(IImageEncoder encoder) : PipelineStage
{
    public override string Name => "image encoding";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var image = batch.Image ?? throw new InvalidOperationException("the conditioning image was not loaded");
        batch.ImageEmbeds = encoder.Encode(image);
    }
}
