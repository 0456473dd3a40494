using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Stages;

namespace FastVideo.Onnx.Runtime.Pipelines.Wan;

/// <summary>
/// Wan text-to-video (Diffusers' WanPipeline): Wan2.1, and Wan2.2 as its model_index.json says (<see cref="WanModelOptions"/>):
/// TI2V-5B (<c>expand_timesteps</c>: per-token timesteps, the 16x VAE) and A14B (two experts switched at
/// <c>boundary_ratio</c>, a second guidance scale).
/// </summary>
[PipelineEntry("WanPipeline")]
internal sealed class WanPipeline : VideoPipeline, IPipelineRules
{
    public static RequestRules Rules(string modelFolder) => WanFamily.Rules(modelFolder, takesImage: false);

    public WanPipeline(PipelineContext context) : base(context)
    {
        string folder = context.ModelFolder;
        var rules = Rules(folder);
        var runners = context.Runners;
        var options = WanModelOptions.Load(folder);
        if (options.IsWan22)
        {
            ComponentFolder.RequireAll(folder, WanFamily.Wan22Components(options));
            var text22 = Open(WanFamily.TextEncoder, () => runners.Open<ITextEncoder>(WanFamily.Request(context, WanFamily.TextEncoder)));
            var vae22 = Open(WanFamily.Vae, () => runners.Open<IVaeDecoder>(WanFamily.Request(context, WanFamily.Vae)));
            var experts = Open(WanFamily.Transformer, () => WanFamily.Experts(context, options, vae22.Latents));
            Stages = new PipelineStage[]
            {
                new InputValidationStage(context.Defaults, rules with { Latents = vae22.Latents }),
                new TextEncodingStage(text22),
                new TimestepPreparationStage(WanFamily.Schedulers(folder, context.Defaults)),
                new LatentPreparationStage(vae22.Latents),
                new DenoisingStage(new WanExpertSteps(experts), context.Device, new WanTokenTimesteps(WanFamily.TransformerContract(folder))),
                new DecodingStage(vae22),
            };
            return;
        }
        ComponentFolder.RequireAll(folder, [WanFamily.TextEncoder, WanFamily.Tokenizer, WanFamily.Transformer, WanFamily.Vae, WanFamily.Scheduler]);
        var text = Open(WanFamily.TextEncoder, () => runners.Open<ITextEncoder>(WanFamily.Request(context, WanFamily.TextEncoder)));
        var transformer = Open(WanFamily.Transformer, () => WanFamily.Denoiser(context, rules.Latents));
        var vae = Open(WanFamily.Vae, () => runners.Open<IVaeDecoder>(WanFamily.Request(context, WanFamily.Vae)));
        Stages = new PipelineStage[]
        {
            new InputValidationStage(context.Defaults, rules with { Latents = vae.Latents, LatentFrameMultiple = transformer.LatentFrameMultiple }),
            new TextEncodingStage(text),
            new TimestepPreparationStage(WanFamily.Schedulers(folder, context.Defaults)),
            new LatentPreparationStage(vae.Latents),
            new DenoisingStage(transformer, context.Device),
            new DecodingStage(vae),
        };
    }

    protected override IReadOnlyList<PipelineStage> Stages { get; }
}
