using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Stages;

namespace FastVideo.Onnx.Runtime.Pipelines.Wan;

/// <summary>
/// FastVideo's WanDMDPipeline (FastWan): a Wan2.1 text-to-video transformer distilled for a few unguided DMD steps,
/// usually with Video Sparse Attention (a transformer without VSA gates runs dense DMD).
/// </summary>
[PipelineEntry("WanDMDPipeline")]
internal sealed class WanDmdPipeline : VideoPipeline, IPipelineRules
{
    public static RequestRules Rules(string modelFolder) => WanFamily.Rules(modelFolder, takesImage: false);

    public WanDmdPipeline(PipelineContext context) : base(context)
    {
        string folder = context.ModelFolder;
        var rules = Rules(folder);
        var runners = context.Runners;
        var text = Open(WanFamily.TextEncoder, () => runners.Open<ITextEncoder>(WanFamily.Request(context, WanFamily.TextEncoder)));
        var transformer = Open(WanFamily.Transformer, () => WanFamily.OpenDenoiser(context, WanFamily.Request(context, WanFamily.Transformer) with
        {
            ExpectedShape = WanFamily.Expected(context.Defaults with { GuidanceScale = 1 }, rules.Latents),
            ExpectedTextTokens = context.Defaults.MaxSequenceLength,
        }));
        var vae = Open(WanFamily.Vae, () => runners.Open<IVaeDecoder>(WanFamily.Request(context, WanFamily.Vae)));
        Stages = new PipelineStage[]
        {
            new InputValidationStage(context.Defaults, rules with { Latents = vae.Latents, LatentFrameMultiple = transformer.LatentFrameMultiple }),
            new DmdRequestNoticeStage(),
            new TextEncodingStage(text),
            new DmdPreparationStage(context.Defaults, vae.Latents),
            new DmdDenoisingStage(transformer, context.Device),
            new DecodingStage(vae),
        };
    }

    protected override IReadOnlyList<PipelineStage> Stages { get; }
}
