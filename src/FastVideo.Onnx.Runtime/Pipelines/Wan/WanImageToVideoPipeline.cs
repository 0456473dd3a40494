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
internal sealed class WanImageToVideoPipeline : VideoPipeline, IPipelineRules
{
    public static RequestRules Rules(string modelFolder) => WanFamily.Rules(modelFolder, takesImage: true);

    public WanImageToVideoPipeline(PipelineContext context) : base(context)
    {
        string folder = context.ModelFolder;
        var rules = Rules(folder);
        var runners = context.Runners;
        var options = WanModelOptions.Load(folder);
        if (options.IsWan22)
        {
            // Wan2.2 image-to-video has no CLIP image encoder (its transformers take no image tokens).
            ComponentFolder.RequireAll(folder, WanFamily.Wan22Components(options));
            var text22 = Open(WanFamily.TextEncoder, () => runners.Open<ITextEncoder>(WanFamily.Request(context, WanFamily.TextEncoder)));
            var vae22 = Open(WanFamily.Vae, () => runners.Open<IVaeDecoder>(WanFamily.Request(context, WanFamily.Vae) with { WithEncoder = true }));
            var encoder22 = vae22 as IVaeEncoder ?? throw new InvalidOperationException($"the {WanFamily.Vae} runner does not encode");
            var experts = Open(WanFamily.Transformer, () => WanFamily.Experts(context, options, vae22.Latents));
            Stages = new PipelineStage[]
            {
                new InputValidationStage(context.Defaults, rules with { Latents = vae22.Latents }),
                new TextEncodingStage(text22),
                new TimestepPreparationStage(WanFamily.Schedulers(folder, context.Defaults)),
                new LatentPreparationStage(vae22.Latents),
                // TI2V (expand_timesteps): the encoded image replaces latent frame 0; A14B: Wan2.1's mask and encoded frame channels.
                options.ExpandTimesteps ? new FirstFrameEncodingStage(encoder22) : new ImageVaeEncodingStage(encoder22, WanFamily.Conditioning(vae22.Latents)),
                new DenoisingStage(new WanExpertSteps(experts), context.Device, new WanTokenTimesteps(WanFamily.TransformerContract(folder))),
                new DecodingStage(vae22),
            };
            return;
        }
        ComponentFolder.RequireAll(folder, [WanFamily.TextEncoder, WanFamily.Tokenizer, WanFamily.ImageEncoder, WanFamily.ImageProcessor,
            WanFamily.Transformer, WanFamily.Vae, WanFamily.Scheduler]);
        var text = Open(WanFamily.TextEncoder, () => runners.Open<ITextEncoder>(WanFamily.Request(context, WanFamily.TextEncoder)));
        var image = Open(WanFamily.ImageEncoder, () => runners.Open<IImageEncoder>(WanFamily.Request(context, WanFamily.ImageEncoder)));
        var transformer = Open(WanFamily.Transformer, () => WanFamily.Denoiser(context, rules.Latents, image.Tokens));
        // One runner serves both VAE roles: the decoder and, for the first frame, the encoder.
        var vae = Open(WanFamily.Vae, () => runners.Open<IVaeDecoder>(WanFamily.Request(context, WanFamily.Vae) with { WithEncoder = true }));
        var encoder = vae as IVaeEncoder ?? throw new InvalidOperationException($"the {WanFamily.Vae} runner does not encode");
        Stages = new PipelineStage[]
        {
            new InputValidationStage(context.Defaults, rules with { Latents = vae.Latents, LatentFrameMultiple = transformer.LatentFrameMultiple }),
            new TextEncodingStage(text),
            new ImageEncodingStage(image),
            new TimestepPreparationStage(WanFamily.Schedulers(folder, context.Defaults)),
            new LatentPreparationStage(vae.Latents),
            new ImageVaeEncodingStage(encoder, WanFamily.Conditioning(vae.Latents)),
            new DenoisingStage(transformer, context.Device),
            new DecodingStage(vae),
        };
    }

    protected override IReadOnlyList<PipelineStage> Stages { get; }
}
