using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Stages;

namespace FastVideo.Onnx.Runtime.Pipelines.Wan;

/// <summary>
/// FastVideo's WanDMDPipeline (FastWan): a Wan2.1 text-to-video transformer distilled for a few unguided DMD steps,
/// usually with Video Sparse Attention (a transformer without VSA gates runs dense DMD).
/// </summary>
[PipelineEntry("WanDMDPipeline")]
public sealed class WanDmdPipeline : VideoPipeline
{
    public WanDmdPipeline(PipelineContext context) : base(context)
    {
        string folder = context.ModelFolder;
        var device = context.Device;
        var text = Open("text_encoder", () => TextEncoderRunner.Open(folder, device));
        var transformer = Open("transformer", () => TransformerRunner.Open(folder, device, context.Notice,
            WanShapes.Expected(context.Defaults with { GuidanceScale = 1 }, folder)));
        var vae = Open("vae", () => VaeRunner.Open(folder, device, withEncoder: false, context.Notice));
        Stages = new PipelineStage[]
        {
            new InputValidationStage(context.Defaults, imageToVideo: false, vae.LatentChannels),
            new DmdRequestNoticeStage(),
            new TextEncodingStage(text),
            new DmdPreparationStage(context.Defaults, vae.LatentChannels),
            new DmdDenoisingStage(transformer, device),
            new DecodingStage(vae),
        };
    }

    protected override IReadOnlyList<PipelineStage> Stages { get; }
}
