using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Stages;

namespace FastVideo.Onnx.Runtime.Pipelines.Wan;

/// <summary>Wan2.1 text-to-video (Diffusers' WanPipeline).</summary>
[PipelineEntry("WanPipeline")]
public sealed class WanPipeline : VideoPipeline, IPipelineRules
{
    public static RequestRules Rules(string modelFolder) => WanFamily.Rules(modelFolder, takesImage: false);

    public WanPipeline(PipelineContext context) : base(context)
    {
        string folder = context.ModelFolder;
        ComponentFolder.RequireAll(folder, [WanFamily.TextEncoder, WanFamily.Tokenizer, WanFamily.Transformer, WanFamily.Vae, WanFamily.Scheduler]);
        var rules = Rules(folder);
        var runners = context.Runners;
        var text = Open(WanFamily.TextEncoder, () => runners.Open<ITextEncoder>(WanFamily.Request(context, WanFamily.TextEncoder)));
        var transformer = Open(WanFamily.Transformer, () => runners.Open<IDenoiser>(WanFamily.Request(context, WanFamily.Transformer) with
        {
            ExpectedShape = WanFamily.Expected(context.Defaults, rules.Latents),
            ExpectedTextTokens = context.Defaults.MaxSequenceLength,
        }));
        var vae = Open(WanFamily.Vae, () => runners.Open<IVaeDecoder>(WanFamily.Request(context, WanFamily.Vae)));
        Stages = new PipelineStage[]
        {
            new InputValidationStage(context.Defaults, rules with { Latents = vae.Latents }),
            new TextEncodingStage(text),
            new TimestepPreparationStage(WanFamily.Schedulers(folder, context.Defaults)),
            new LatentPreparationStage(vae.Latents),
            new DenoisingStage(transformer, context.Device),
            new DecodingStage(vae),
        };
    }

    protected override IReadOnlyList<PipelineStage> Stages { get; }
}
