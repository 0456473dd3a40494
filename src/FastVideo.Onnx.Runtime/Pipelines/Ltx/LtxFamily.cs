using FastVideo.Onnx.Core.Contracts.Ltx;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Runtime.Components;

namespace FastVideo.Onnx.Runtime.Pipelines.Ltx;

/// <summary>What the LTX pipelines read from a converted folder: component names, the latent layout and request rules.</summary>
internal static class LtxFamily
{
    public const string TextEncoder = "text_encoder";
    public const string Tokenizer = "tokenizer";
    public const string Transformer = "transformer";
    public const string Vae = "vae";
    public const string Scheduler = "scheduler";

    static JsonConfig Config(string folder, string component) => ComponentFolder.Open(folder, component).Config();

    public static LtxVaeLayout VaeLayout(string folder) => LtxVaeLayout.FromConfig(Config(folder, Vae));

    public static LtxTransformerLayout TransformerLayout(string folder) => LtxTransformerLayout.FromConfig(Config(folder, Transformer));

    public static LatentLayout Latents(LtxVaeLayout vae) => new(vae.LatentChannels, vae.TemporalCompression, vae.SpatialCompression);

    /// <summary>
    /// Height and width are multiples of the VAE's spatial compression times the transformer's patch (LTXPipeline.check_inputs
    /// asks for multiples of 32 with the published 32x VAE and patch 1).
    /// </summary>
    public static RequestRules Rules(string folder)
    {
        var vae = VaeLayout(folder);
        var transformer = TransformerLayout(folder);
        return new RequestRules(Latents(vae), vae.SpatialCompression * transformer.PatchSize, TakesImage: false)
        {
            FamilyOptions = new[]
            {
                nameof(GenerationRequest.FrameRate), nameof(GenerationRequest.DecodeTimestep), nameof(GenerationRequest.DecodeNoiseScale),
                nameof(GenerationRequest.GuidanceRescale),
            },
        };
    }

    public static ComponentRequest Request(PipelineContext context, string component) =>
        new(context.ModelFolder, component, context.Device) { Notice = context.Notice };
}
