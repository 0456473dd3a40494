using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Runtime.Stages;

namespace FastVideo.Onnx.Runtime.Pipelines.Ltx;

/// <summary>LTX-Video text-to-video (Diffusers' LTXPipeline).</summary>
[PipelineEntry("LTXPipeline")]
internal sealed class LtxPipeline : VideoPipeline, IPipelineRules
{
    public static RequestRules Rules(string modelFolder) => LtxFamily.Rules(modelFolder);

    public LtxPipeline(PipelineContext context) : base(context)
    {
        string folder = context.ModelFolder;
        ComponentFolder.RequireAll(folder, [LtxFamily.TextEncoder, LtxFamily.Tokenizer, LtxFamily.Transformer, LtxFamily.Vae, LtxFamily.Scheduler]);
        var rules = Rules(folder);
        var runners = context.Runners;
        var text = Open(LtxFamily.TextEncoder, () => runners.Open<IMaskedTextEncoder>(LtxFamily.Request(context, LtxFamily.TextEncoder)));
        var transformer = Open(LtxFamily.Transformer, () => runners.Open<IPackedDenoiser>(LtxFamily.Request(context, LtxFamily.Transformer)));
        var vae = Open(LtxFamily.Vae, () => runners.Open<ITimestepVaeDecoder>(LtxFamily.Request(context, LtxFamily.Vae)));
        Stages = new PipelineStage[]
        {
            new InputValidationStage(context.Defaults, rules with { Latents = vae.Latents }),
            new LtxOptionsStage(context.Defaults, vae.TimestepConditioned),
            new LtxTextEncodingStage(text),
            new LtxTimestepPreparationStage(() => SchedulerFactory.Load(Path.Combine(folder, LtxFamily.Scheduler)), vae.Latents, transformer.PatchSize),
            new LtxLatentPreparationStage(vae.Latents),
            new LtxDenoisingStage(transformer, context.Device, vae.Latents),
            new LtxDecodingStage(vae),
        };
    }

    protected override IReadOnlyList<PipelineStage> Stages { get; }

    protected override bool IsDecoding(PipelineStage stage) => stage is LtxDecodingStage;
}
