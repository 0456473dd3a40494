using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Runtime.Stages;

namespace FastVideo.Onnx.Runtime.Pipelines.Wan;

/// <summary>Wan2.1 text-to-video (Diffusers' WanPipeline).</summary>
[PipelineEntry("WanPipeline")]
public sealed class WanPipeline : VideoPipeline
{
    public WanPipeline(PipelineContext context) : base(context)
    {
        string folder = context.ModelFolder;
        var device = context.Device;
        ComponentFolder.RequireAll(folder, ["text_encoder", "tokenizer", "transformer", "vae", "scheduler"]);
        var text = Open("text_encoder", () => TextEncoderRunner.Open(folder, device));
        var transformer = Open("transformer", () => TransformerRunner.Open(folder, device, context.Notice, WanShapes.Expected(context.Defaults, folder)));
        var vae = Open("vae", () => VaeRunner.Open(folder, device, withEncoder: false, context.Notice));
        Stages = new PipelineStage[]
        {
            new InputValidationStage(context.Defaults, imageToVideo: false, vae.LatentChannels),
            new TextEncodingStage(text),
            new TimestepPreparationStage(WanSchedulers.Factory(folder, context.Defaults)),
            new LatentPreparationStage(vae.LatentChannels),
            new DenoisingStage(transformer, device),
            new DecodingStage(vae),
        };
    }

    protected override IReadOnlyList<PipelineStage> Stages { get; }
}

/// <summary>The transformer call shape a Wan pipeline's default request makes (sessions are specialised to it at load).</summary>
internal static class WanShapes
{
    public static TransformerShape Expected(SamplingDefaults d, string modelFolder)
    {
        var vae = WanVaeGeometry.Load(Path.Combine(modelFolder, VaeRunner.ComponentName));
        return new(d.GuidanceScale > 1 ? 2 : 1, vae.LatentFrames(d.NumFrames), d.Height / vae.SpatialCompression, d.Width / vae.SpatialCompression);
    }
}

/// <summary>The scheduler of a Wan model folder, with the flow shift of the request or the preset.</summary>
internal static class WanSchedulers
{
    public static Func<double?, IScheduler> Factory(string folder, SamplingDefaults defaults) => shift =>
        SchedulerFactory.Load(Path.Combine(folder, "scheduler"), new SchedulerOverrides { FlowShift = shift ?? defaults.FlowShift });
}
