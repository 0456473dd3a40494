using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Contracts;
using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Converts a Wan VAE folder (2.1, or 2.2's 16x VAE) into four chunk graphs (<see cref="WanVaeGraphs"/>): decoder_first.onnx, decoder.onnx,
/// encoder_first.onnx, encoder.onnx, and the same four with fused CUDA kernels (decoder_first.fused.onnx, ...: channel
/// RMS norm + SiLU as one com.fastvideo node), all sharing one external data file. Checks that the VAE's latent width
/// agrees with the transformer(s) of the same model folder.
/// </summary>
[ComponentExporter(WanVaeContract.ComponentClass)]
public sealed class WanVaeExporter : DefinitionExporter<WanVaeModel>
{
    const string TransformerClass = WanTransformerContract.ComponentClass;
    const string ImageToVideoPipeline = "WanImageToVideoPipeline";

    protected override IReadOnlyCollection<string> ConfigFieldsRead => WanVaeConfig.Fields;

    protected override WanVaeModel CreateDefinition(JsonConfig config, ComponentSource source) => new(WanVaeConfig.FromJson(config));

    protected override IReadOnlyList<GraphSpec> Graphs(WanVaeModel model, DType precision)
    {
        // Build each pair once up front to check that the first chunk leaves the caches the next chunk takes.
        var decoderFirst = WanVaeGraphs.Decoder(model, precision, firstChunk: true);
        var decoder = WanVaeGraphs.Decoder(model, precision, firstChunk: false);
        var encoderFirst = WanVaeGraphs.Encoder(model, precision, firstChunk: true);
        var encoder = WanVaeGraphs.Encoder(model, precision, firstChunk: false);
        WanVaeGraphs.CheckSameLayout(decoderFirst.Caches, decoder.Caches, "decoder");
        WanVaeGraphs.CheckSameLayout(encoderFirst.Caches, encoder.Caches, "encoder");
        return new[]
        {
            new GraphSpec(WanVaeChunking.DecoderFirstGraph, () => decoderFirst.Graph),
            new GraphSpec(WanVaeChunking.DecoderGraph, () => decoder.Graph),
            new GraphSpec(WanVaeChunking.EncoderFirstGraph, () => encoderFirst.Graph),
            new GraphSpec(WanVaeChunking.EncoderGraph, () => encoder.Graph),
            // Built when written (after the portable ones, whose weights they share), so one graph is in memory at a time.
            new GraphSpec(WanVaeChunking.FusedGraph(WanVaeChunking.DecoderFirstGraph), () => WanVaeGraphs.BuildDecoder(model, precision, firstChunk: true, fusedKernels: true)),
            new GraphSpec(WanVaeChunking.FusedGraph(WanVaeChunking.DecoderGraph), () => WanVaeGraphs.BuildDecoder(model, precision, firstChunk: false, fusedKernels: true)),
            new GraphSpec(WanVaeChunking.FusedGraph(WanVaeChunking.EncoderFirstGraph), () => WanVaeGraphs.BuildEncoder(model, precision, firstChunk: true, fusedKernels: true)),
            new GraphSpec(WanVaeChunking.FusedGraph(WanVaeChunking.EncoderGraph), () => WanVaeGraphs.BuildEncoder(model, precision, firstChunk: false, fusedKernels: true)),
        };
    }

    protected override DType ResolvePrecision(DType requested, List<string> notes)
    {
        if (requested != DType.BFloat16) return requested;
        // ONNX Runtime's CPU execution provider has no bfloat16 Conv; Diffusers' Wan pipelines run this VAE in float32.
        notes.Add("vae: bf16 requested, exported as fp32 (ONNX Runtime has no bfloat16 Conv kernel on CPU; the Wan VAE is small)");
        return DType.Float32;
    }

    /// <summary>
    /// z_dim must match every Wan transformer of the folder: out_channels == z_dim, and in_channels == z_dim for
    /// text-to-video or 2·z_dim + 4 (mask channels + encoded condition) for image-to-video.
    /// </summary>
    protected override void CheckConsistency(WanVaeModel model, ComponentSource source)
    {
        int z = model.Config.ZDim;
        string vaeConfig = source.ConfigPath();
        // Wan2.2 TI2V image-to-video (expand_timesteps) puts the image's latents in frame 0 instead of extra channels.
        bool imageToVideo = source.Index.PipelineClass == ImageToVideoPipeline && WanTransformerContract.TimestepLayoutOf(source.Index.Json) != TimestepLayout.PerToken;
        foreach (var entry in source.Index.Components.Where(e => e.ClassName == TransformerClass))
        {
            string folder = Path.Combine(source.Index.Folder, entry.Name);
            string path = Path.Combine(folder, "config.json");
            if (!File.Exists(path)) continue; // the transformer's own exporter reports a missing folder or config
            var json = JsonConfig.Load(path);
            int inChannels = json.GetInt("in_channels", 16);
            int outChannels = json.GetIntOrNull("out_channels") ?? inChannels;
            // Image-to-video appends a mask of one channel per video frame of a latent frame, then the encoded condition.
            int mask = model.Config.Contract.TemporalCompression;
            int expectedIn = imageToVideo ? 2 * z + mask : z;
            if (inChannels != expectedIn)
                throw new ModelFormatException(vaeConfig, imageToVideo
                    ? $"z_dim {z} does not match {path}: in_channels {inChannels}, but {ImageToVideoPipeline} needs 2*z_dim+{mask} = {expectedIn}"
                    : $"z_dim {z} does not match {path}: in_channels {inChannels}, but {source.Index.PipelineClass} needs in_channels = z_dim");
            if (outChannels != z)
                throw new ModelFormatException(vaeConfig, $"z_dim {z} does not match {path}: out_channels {outChannels} (must equal z_dim)");
        }
    }
}
