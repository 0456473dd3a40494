using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Contracts;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Components.Wan;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Execution.MultiDevice;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Runtime.Stages;

namespace FastVideo.Onnx.Runtime.Pipelines.Wan;

/// <summary>
/// What the Wan pipelines read from a converted folder through the family's contracts: the latent layout and request
/// rules (from the VAE's and transformer's configs, and model_index.json's Wan2.2 fields), the shape the default request
/// calls the transformer with, the image conditioning's mask layout, the scheduler, and A14B's two experts.
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

    /// <summary>The transformer's contract, with the timestep layout the pipeline feeds (per token when <c>expand_timesteps</c>).</summary>
    public static WanTransformerContract TransformerContract(string folder) =>
        WanTransformerContract.FromConfig(Config(folder, Transformer), WanModelOptions.Load(folder).ExpandTimesteps ? TimestepLayout.PerToken : TimestepLayout.PerSample);

    static JsonConfig Config(string folder, string component) => ComponentFolder.Open(folder, component).Config();

    public static LatentLayout Latents(WanVaeContract vae) => new(vae.ZDim, vae.TemporalCompression, vae.SpatialCompression);

    /// <summary>
    /// Height and width are multiples of the VAE's spatial compression times the transformer's spatial patch (Diffusers'
    /// WanPipeline.check_inputs: 16 for Wan2.1, 32 for Wan2.2 TI2V's 16x VAE); a second guidance scale is for A14B's two experts.
    /// </summary>
    public static RequestRules Rules(string folder, bool takesImage)
    {
        var vae = VaeContract(folder);
        var transformer = TransformerContract(folder);
        int patch = Math.Max(transformer.PatchSize[1], transformer.PatchSize[2]);
        return new RequestRules(Latents(vae), vae.SpatialCompression * patch, takesImage, WanModelOptions.Load(folder).TwoExperts);
    }

    /// <summary>
    /// The components a Wan2.2 pipeline needs: text encoder, tokenizer, the transformer(s), VAE, scheduler (no CLIP image
    /// encoder: Wan2.2's transformers take no image tokens).
    /// </summary>
    public static string[] Wan22Components(WanModelOptions options) => options.TwoExperts
        ? [TextEncoder, Tokenizer, Transformer, WanExperts.SecondComponent, Vae, Scheduler]
        : [TextEncoder, Tokenizer, Transformer, Vae, Scheduler];

    /// <summary>
    /// The transformer(s) as denoisers: one, or A14B's two experts with the boundary in timesteps (ratio ·
    /// num_train_timesteps); each opened by role with the default request's shape, on the device(s) the placement
    /// gives it (<see cref="Runtime.Execution.RuntimeOptions.Parallelism"/>).
    /// </summary>
    public static WanExperts Experts(PipelineContext context, WanModelOptions options, LatentLayout latents)
    {
        string folder = context.ModelFolder;
        int trainSteps = JsonConfig.Load(Path.Combine(folder, Scheduler, "scheduler_config.json")).GetInt("num_train_timesteps", 1000);
        double? boundary = options.TwoExperts ? options.BoundaryTimestep(trainSteps) : null;
        long secondBytes = options.TwoExperts ? ComponentFolder.Open(folder, WanExperts.SecondComponent).Manifest.TotalBytes : 0;
        var placement = context.Placement;
        var mode = placement.Resolve(options.TwoExperts, context.Defaults.GuidanceScale > 1);
        var expected = Expected(context.Defaults, latents, mode);
        return new WanExperts(component => mode == DeviceParallelism.Sequence
            ? SequenceRanks(context, Request(context, component))
            : placement.OpenDenoiser(mode, device => context.Runners.Open<IDenoiser>(Request(context, component, device) with
            {
                ExpectedShape = expected,
                ExpectedTextTokens = context.Defaults.MaxSequenceLength,
            }), secondExpert: component == WanExperts.SecondComponent), boundary, context.Device, context.Notice, secondBytes,
            separateDevices: mode == DeviceParallelism.Experts);
    }

    /// <summary>The per-rank graph of <paramref name="request"/>'s transformer as sequence-parallel ranks, told to the placement (the memory estimate counts each rank's weights).</summary>
    static IDenoiser SequenceRanks(PipelineContext context, ComponentRequest request)
    {
        var ranks = WanSequenceParallelDenoiser.Open(request);
        context.Placement.NoteSequenceRanks(ranks.WorldSize);
        return ranks;
    }

    /// <summary>
    /// Wan2.1's transformer as the denoiser, opened by role with the default request's shape (and, image-to-video, the
    /// image encoder's <paramref name="imageTokens"/>), on the device(s) the placement gives it.
    /// </summary>
    public static IDenoiser Denoiser(PipelineContext context, LatentLayout latents, long? imageTokens = null)
    {
        var placement = context.Placement;
        var mode = placement.Resolve(twoExperts: false, context.Defaults.GuidanceScale > 1);
        if (mode == DeviceParallelism.Sequence) return SequenceRanks(context, Request(context, Transformer));
        return placement.OpenDenoiser(mode, device => context.Runners.Open<IDenoiser>(Request(context, Transformer, device) with
        {
            ExpectedShape = Expected(context.Defaults, latents, mode),
            ExpectedTextTokens = context.Defaults.MaxSequenceLength,
            ImageTokens = imageTokens,
        }));
    }

    /// <summary>
    /// A transformer that no placement splits (FastWan's DMD pipeline, whose requests have no guidance) as a denoiser: the
    /// runner of its class, or with <c>Runtime:Parallelism</c> sequence its per-rank graph as sequence-parallel ranks.
    /// </summary>
    public static IDenoiser OpenDenoiser(PipelineContext context, ComponentRequest request) =>
        context.Placement.Requested == DeviceParallelism.Sequence ? SequenceRanks(context, request) : context.Runners.Open<IDenoiser>(request);

    /// <summary>The mask before the encoded first frame: one channel per video frame of a latent frame.</summary>
    public static FirstFrameConditioning Conditioning(LatentLayout latents) => new(latents.TemporalCompression);

    /// <summary>The transformer call shape a pipeline's default request makes (sessions are specialised to it at load).</summary>
    /// <remarks>Under <see cref="DeviceParallelism.Cfg"/> each device takes one half of the guided batch.</remarks>
    public static TransformerShape Expected(SamplingDefaults d, LatentLayout latents, DeviceParallelism mode = DeviceParallelism.None)
    {
        var (f, h, w) = latents.Grid(d.NumFrames, d.Height, d.Width);
        return new TransformerShape(d.GuidanceScale > 1 && mode != DeviceParallelism.Cfg ? 2 : 1, f, h, w);
    }

    /// <summary>The scheduler of a Wan model folder, with the flow shift of the request or the preset.</summary>
    public static Func<double?, IScheduler> Schedulers(string folder, SamplingDefaults defaults) => shift =>
        SchedulerFactory.Load(Path.Combine(folder, Scheduler), new SchedulerOverrides { FlowShift = shift ?? defaults.FlowShift });

    public static ComponentRequest Request(PipelineContext context, string component, ExecutionDevice? device = null) =>
        new(context.ModelFolder, component, device ?? context.Device) { Notice = context.Notice };
}
