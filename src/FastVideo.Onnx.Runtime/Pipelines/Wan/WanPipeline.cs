using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Components.Wan;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Runtime.Stages;

namespace FastVideo.Onnx.Runtime.Pipelines.Wan;

/// <summary>
/// Wan text-to-video (Diffusers' WanPipeline): Wan2.1, and Wan2.2 as its model_index.json says (<see cref="WanModelOptions"/>):
/// TI2V-5B (<c>expand_timesteps</c>: per-token timesteps, the 16x VAE) and A14B (two experts switched at
/// <c>boundary_ratio</c>, a second guidance scale).
/// </summary>
[PipelineEntry("WanPipeline")]
public sealed class WanPipeline : VideoPipeline
{
    public WanPipeline(PipelineContext context) : base(context)
    {
        string folder = context.ModelFolder;
        var device = context.Device;
        var options = WanModelOptions.Load(folder);
        ComponentFolder.RequireAll(folder, options.TwoExperts
            ? ["text_encoder", "tokenizer", "transformer", WanExperts.SecondComponent, "vae", "scheduler"]
            : ["text_encoder", "tokenizer", "transformer", "vae", "scheduler"]);
        var text = Open("text_encoder", () => TextEncoderRunner.Open(folder, device));
        var expected = WanShapes.Expected(context.Defaults, folder);
        var vae = Open("vae", () => VaeRunner.Open(folder, device, withEncoder: false, context.Notice));
        var geometry = vae.Geometry;
        if (!options.IsWan22)
        {
            var transformer = Open("transformer", () => TransformerRunner.Open(folder, device, context.Notice, expected));
            Stages = new PipelineStage[]
            {
                new InputValidationStage(context.Defaults, imageToVideo: false, vae.LatentChannels),
                new TextEncodingStage(text),
                new TimestepPreparationStage(WanSchedulers.Factory(folder, context.Defaults)),
                new LatentPreparationStage(vae.LatentChannels),
                new DenoisingStage(transformer, device),
                new DecodingStage(vae),
            };
            return;
        }
        var experts = Open("transformer", () => WanSchedulers.Experts(folder, device, context.Notice, expected, options));
        Stages = new PipelineStage[]
        {
            new InputValidationStage(context.Defaults, imageToVideo: false, vae.LatentChannels, geometry.TemporalCompression, geometry.SpatialCompression,
                WanShapes.SizeMultiple(geometry, experts), experts.Count),
            new TextEncodingStage(text),
            new TimestepPreparationStage(WanSchedulers.Factory(folder, context.Defaults)),
            new LatentPreparationStage(vae.LatentChannels, geometry.TemporalCompression, geometry.SpatialCompression),
            new WanExpertDenoisingStage(experts, device),
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

    /// <summary>What height and width must divide by: the VAE's compression times the transformer's spatial patch (16 for Wan2.1, 32 for Wan2.2 TI2V).</summary>
    public static int SizeMultiple(WanVaeGeometry vae, WanExperts experts) =>
        Math.Max(InputValidationStage.SizeMultiple, vae.SpatialCompression * Math.Max(experts.PatchSize[1], experts.PatchSize[2]));
}

/// <summary>The scheduler of a Wan model folder, with the flow shift of the request or the preset.</summary>
internal static class WanSchedulers
{
    public static Func<double?, IScheduler> Factory(string folder, SamplingDefaults defaults) => shift =>
        SchedulerFactory.Load(Path.Combine(folder, "scheduler"), new SchedulerOverrides { FlowShift = shift ?? defaults.FlowShift });

    /// <summary>The transformer(s): one, or A14B's two experts with the boundary in timesteps (ratio · num_train_timesteps).</summary>
    public static WanExperts Experts(string folder, Execution.ExecutionDevice device, Action<string>? notice, TransformerShape expected,
        WanModelOptions options, long? imageTokens = null)
    {
        int trainSteps = JsonConfig.Load(Path.Combine(folder, "scheduler", "scheduler_config.json")).GetInt("num_train_timesteps", 1000);
        double? boundary = options.TwoExperts ? options.BoundaryTimestep(trainSteps) : null;
        long secondBytes = options.TwoExperts ? ComponentFolder.Open(folder, WanExperts.SecondComponent).Manifest.TotalBytes : 0;
        return new WanExperts(component => TransformerRunner.Open(folder, device, notice, expected, imageTokens, component), boundary, device, notice,
            secondBytes);
    }
}
