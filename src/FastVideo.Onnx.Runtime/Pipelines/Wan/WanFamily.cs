using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Runtime.Stages;

namespace FastVideo.Onnx.Runtime.Pipelines.Wan;

/// <summary>
/// What the Wan pipelines read from a converted folder through the family's contracts: the latent layout and request
/// rules (from the VAE's and transformer's configs), the shape the default request calls the transformer with, the
/// image conditioning's mask layout, and the scheduler.
/// </summary>
internal static class WanFamily
{
    public const string TextEncoder = "text_encoder";
    public const string Tokenizer = "tokenizer";
    public const string ImageEncoder = "image_encoder";
    public const string ImageProcessor = "image_processor";
    public const string Transformer = "transformer";
    public const string Vae = "vae";
    public const string Scheduler = "scheduler";

    public static WanVaeContract VaeContract(string folder) => WanVaeContract.FromConfig(Config(folder, Vae));

    public static WanTransformerContract TransformerContract(string folder) => WanTransformerContract.FromConfig(Config(folder, Transformer));

    static JsonConfig Config(string folder, string component) => ComponentFolder.Open(folder, component).Config();

    public static LatentLayout Latents(WanVaeContract vae) => new(vae.ZDim, vae.TemporalCompression, vae.SpatialCompression);

    /// <summary>
    /// Height and width are multiples of the VAE's spatial compression times the transformer's spatial patch (Diffusers'
    /// WanPipeline.check_inputs: 16 for Wan2.1).
    /// </summary>
    public static RequestRules Rules(string folder, bool takesImage)
    {
        var vae = VaeContract(folder);
        var transformer = TransformerContract(folder);
        int patch = Math.Max(transformer.PatchSize[1], transformer.PatchSize[2]);
        return new RequestRules(Latents(vae), vae.SpatialCompression * patch, takesImage);
    }

    /// <summary>The mask before the encoded first frame: one channel per video frame of a latent frame.</summary>
    public static FirstFrameConditioning Conditioning(LatentLayout latents) => new(latents.TemporalCompression);

    /// <summary>The transformer call shape a pipeline's default request makes (sessions are specialised to it at load).</summary>
    public static TransformerShape Expected(SamplingDefaults d, LatentLayout latents)
    {
        var (f, h, w) = latents.Grid(d.NumFrames, d.Height, d.Width);
        return new TransformerShape(d.GuidanceScale > 1 ? 2 : 1, f, h, w);
    }

    /// <summary>The scheduler of a Wan model folder, with the flow shift of the request or the preset.</summary>
    public static Func<double?, IScheduler> Schedulers(string folder, SamplingDefaults defaults) => shift =>
        SchedulerFactory.Load(Path.Combine(folder, Scheduler), new SchedulerOverrides { FlowShift = shift ?? defaults.FlowShift });

    public static ComponentRequest Request(PipelineContext context, string component) =>
        new(context.ModelFolder, component, context.Device) { Notice = context.Notice };
}
