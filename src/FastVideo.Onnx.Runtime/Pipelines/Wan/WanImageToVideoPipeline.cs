using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Components.Wan;
using FastVideo.Onnx.Runtime.Stages;

namespace FastVideo.Onnx.Runtime.Pipelines.Wan;

/// <summary>
/// Wan image-to-video (Diffusers' WanImageToVideoPipeline): Wan2.1's CLIP image tokens plus a VAE-encoded first frame
/// behind a mask; Wan2.2 A14B's two experts with the same mask and encoded frame but no CLIP encoder; Wan2.2 TI2V-5B
/// (<c>expand_timesteps</c>), where the encoded image replaces latent frame 0 instead.
/// </summary>
[PipelineEntry("WanImageToVideoPipeline")]
public sealed class WanImageToVideoPipeline : VideoPipeline
{
    public WanImageToVideoPipeline(PipelineContext context) : base(context)
    {
        string folder = context.ModelFolder;
        var device = context.Device;
        var options = WanModelOptions.Load(folder);
        if (!options.IsWan22)
        {
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
            return;
        }
        // Wan2.2 image-to-video has no CLIP image encoder (its transformers take no image tokens).
        ComponentFolder.RequireAll(folder, options.TwoExperts
            ? ["text_encoder", "tokenizer", "transformer", WanExperts.SecondComponent, "vae", "scheduler"]
            : ["text_encoder", "tokenizer", "transformer", "vae", "scheduler"]);
        var text22 = Open("text_encoder", () => TextEncoderRunner.Open(folder, device));
        var vae22 = Open("vae", () => VaeRunner.Open(folder, device, withEncoder: true, context.Notice));
        var experts = Open("transformer", () => WanSchedulers.Experts(folder, device, context.Notice, WanShapes.Expected(context.Defaults, folder), options));
        var geometry = vae22.Geometry;
        Stages = new PipelineStage[]
        {
            new InputValidationStage(context.Defaults, imageToVideo: true, vae22.LatentChannels, geometry.TemporalCompression, geometry.SpatialCompression,
                WanShapes.SizeMultiple(geometry, experts), experts.Count),
            new TextEncodingStage(text22),
            new TimestepPreparationStage(WanSchedulers.Factory(folder, context.Defaults)),
            new LatentPreparationStage(vae22.LatentChannels, geometry.TemporalCompression, geometry.SpatialCompression),
            options.ExpandTimesteps ? new FirstFrameEncodingStage(vae22) : new ImageVaeEncodingStage(vae22),
            new WanExpertDenoisingStage(experts, device),
            new DecodingStage(vae22),
        };
    }

    protected override IReadOnlyList<PipelineStage> Stages { get; }
}
