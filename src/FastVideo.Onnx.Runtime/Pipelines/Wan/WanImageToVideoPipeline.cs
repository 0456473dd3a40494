using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Stages;

namespace FastVideo.Onnx.Runtime.Pipelines.Wan;

/// <summary>Wan2.1 image-to-video (Diffusers' WanImageToVideoPipeline): CLIP image tokens plus a VAE-encoded first frame.</summary>
[PipelineEntry("WanImageToVideoPipeline")]
public sealed class WanImageToVideoPipeline : VideoPipeline
{
    public WanImageToVideoPipeline(PipelineContext context) : base(context)
    {
        string folder = context.ModelFolder;
        var device = context.Device;
        ComponentFolder.RequireAll(folder, ["text_encoder", "tokenizer", "image_encoder", "image_processor", "transformer", "vae", "scheduler"]);
        var text = Open("text_encoder", () => TextEncoderRunner.Open(folder, device));
        var image = Open("image_encoder", () => ImageEncoderRunner.Open(folder, device));
        var transformer = Open("transformer", () => TransformerRunner.Open(folder, device, context.Notice,
            WanShapes.Expected(context.Defaults, folder), image.Tokens));
        var vae = Open("vae", () => VaeRunner.Open(folder, device, withEncoder: true, context.Notice));
        Stages = new PipelineStage[]
        {
            new InputValidationStage(context.Defaults, imageToVideo: true, vae.LatentChannels),
            new TextEncodingStage(text),
            new ImageEncodingStage(image),
            new TimestepPreparationStage(WanSchedulers.Factory(folder, context.Defaults)),
            new LatentPreparationStage(vae.LatentChannels),
            new ImageVaeEncodingStage(vae),
            new DenoisingStage(transformer, device),
            new DecodingStage(vae),
        };
    }

    protected override IReadOnlyList<PipelineStage> Stages { get; }
}
