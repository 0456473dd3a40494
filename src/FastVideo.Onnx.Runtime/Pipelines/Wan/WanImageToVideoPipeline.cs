using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Stages;

namespace FastVideo.Onnx.Runtime.Pipelines.Wan;

/// <summary>Wan2.1 image-to-video (Diffusers' WanImageToVideoPipeline): CLIP image tokens plus a VAE-encoded first frame.</summary>
[PipelineEntry("WanImageToVideoPipeline")]
public sealed class WanImageToVideoPipeline : VideoPipeline, IPipelineRules
{
    public static RequestRules Rules(string modelFolder) => WanFamily.Rules(modelFolder, takesImage: true);

    public WanImageToVideoPipeline(PipelineContext context) : base(context)
    {
        string folder = context.ModelFolder;
        ComponentFolder.RequireAll(folder, [WanFamily.TextEncoder, WanFamily.Tokenizer, WanFamily.ImageEncoder, WanFamily.ImageProcessor,
            WanFamily.Transformer, WanFamily.Vae, WanFamily.Scheduler]);
        var rules = Rules(folder);
        var runners = context.Runners;
        var text = Open(WanFamily.TextEncoder, () => runners.Open<ITextEncoder>(WanFamily.Request(context, WanFamily.TextEncoder)));
        var image = Open(WanFamily.ImageEncoder, () => runners.Open<IImageEncoder>(WanFamily.Request(context, WanFamily.ImageEncoder)));
        var transformer = Open(WanFamily.Transformer, () => runners.Open<IDenoiser>(WanFamily.Request(context, WanFamily.Transformer) with
        {
            ExpectedShape = WanFamily.Expected(context.Defaults, rules.Latents),
            ExpectedTextTokens = context.Defaults.MaxSequenceLength,
            ImageTokens = image.Tokens,
        }));
        // One runner serves both VAE roles: the decoder and, for the first frame, the encoder.
        var vae = Open(WanFamily.Vae, () => runners.Open<IVaeDecoder>(WanFamily.Request(context, WanFamily.Vae) with { WithEncoder = true }));
        var encoder = vae as IVaeEncoder ?? throw new InvalidOperationException($"the {WanFamily.Vae} runner does not encode");
        Stages = new PipelineStage[]
        {
            new InputValidationStage(context.Defaults, rules with { Latents = vae.Latents }),
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
