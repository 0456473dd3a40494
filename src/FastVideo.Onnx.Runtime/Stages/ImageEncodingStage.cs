using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Imaging;
using FastVideo.Onnx.Runtime.Pipelines;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>The conditioning image to CLIP image tokens (image-to-video).</summary>
public sealed class ImageEncodingStage(ImageEncoderRunner encoder) : PipelineStage
{
    public override string Name => "image encoding";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var image = ImageLoader.Load(batch.Request.Image!);
        batch.ImageEmbeds = encoder.Encode(encoder.Preprocess(image));
    }
}
