using FastVideo.Onnx.Core.Contracts;
using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Onnx;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// The four ONNX graphs of a Wan VAE (2.1 or 2.2) and their signatures (signatures from <see cref="WanVaeContract"/>, names in <see cref="WanVaeChunking"/>; the calling protocol
/// is in its documentation and docs/VAE.md):
/// <list type="bullet">
/// <item><c>decoder_first.onnx</c>: <c>latents</c> [batch, z, 1, latent_height, latent_width] float32 ->
/// <c>video</c> [batch, 3, 1, latent_height*s, latent_width*s] float32 (s: the spatial compression), and <c>next_cache_0..N</c>.</item>
/// <item><c>decoder.onnx</c>: <c>latents</c> (one frame) and <c>cache_0..N</c> -> <c>video</c> with t frames (the temporal compression) and
/// <c>next_cache_0..N</c>.</item>
/// <item><c>encoder_first.onnx</c>: <c>video</c> [batch, 3, 1, video_height, video_width] float32 ->
/// <c>latent_mean</c> [batch, z, 1, video_height/s, video_width/s] float32, and <c>next_cache_0..M</c>.</item>
/// <item><c>encoder.onnx</c>: <c>video</c> (t frames) and <c>cache_0..M</c> -> <c>latent_mean</c> and <c>next_cache_0..M</c>.</item>
/// </list>
/// Each also exists as <c>*.fused.onnx</c> (<see cref="WanVaeChunking.FusedGraph"/>): the same signature and weights, with
/// every channel RMS norm (and the SiLU after it) as one node of the CUDA kernel library (native/fastvideo_kernels).
/// s is 8 for the Wan2.1 VAE, 16 for the Wan2.2 VAE (<see cref="WanVaeContract"/>); the video has 3 channels for both. Batch,
/// height and width are dynamic (any size divisible by the compression for the encoder); the frame counts per call are fixed.
/// Cache i has the shape <see cref="WanVaeCacheSlot.Shape"/> gives for slot i of <see cref="DecoderCaches"/> or
/// <see cref="EncoderCaches"/>, in the compute type of the export. Both graphs of a pair expose the same slots: the
/// first chunk's graph outputs every cache the next graph takes, so a caller only moves outputs to inputs.
/// </summary>
public static class WanVaeGraphs
{
    public const string LatentHeight = WanVaeChunking.LatentHeightDim;
    public const string LatentWidth = WanVaeChunking.LatentWidthDim;
    public const string VideoHeight = WanVaeChunking.VideoHeightDim;
    public const string VideoWidth = WanVaeChunking.VideoWidthDim;
    public const string Batch = WanVaeChunking.BatchDim;

    public static OnnxGraphBuilder BuildDecoder(WanVaeModel model, DType computeType, bool firstChunk, bool fusedKernels = false) =>
        Decoder(model, computeType, firstChunk, fusedKernels).Graph;

    public static OnnxGraphBuilder BuildEncoder(WanVaeModel model, DType computeType, bool firstChunk, bool fusedKernels = false) =>
        Encoder(model, computeType, firstChunk, fusedKernels).Graph;

    /// <summary>
    /// A chunk graph's builder. The fused fp16 graphs write their norms channels-last: the runtime runs fp16 VAE sessions
    /// with channels-last convolutions on CUDA (ExecutionDevice.VaeChannelsLast), which is where those graphs run.
    /// </summary>
    static OnnxGraphBuilder NewGraph(DType computeType, bool fusedKernels) =>
        fusedKernels ? new FusedKernelGraphBuilder(computeType) { ChannelsLastNorms = computeType == DType.Float16 } : new OnnxGraphBuilder(computeType);

    /// <summary>The decoder's caches, in order, as the forward claims them (traced symbolically; no weights are read).</summary>
    public static IReadOnlyList<WanVaeCacheSlot> DecoderCaches(WanVaeModel model) => Decoder(model, DType.Float32, firstChunk: false).Caches;

    /// <summary>The encoder's caches, in order (traced symbolically).</summary>
    public static IReadOnlyList<WanVaeCacheSlot> EncoderCaches(WanVaeModel model) => Encoder(model, DType.Float32, firstChunk: false).Caches;

    /// <param name="fusedKernels">Emit the compound operators (channel RMS norm + SiLU) as nodes of the CUDA kernel library (see <see cref="FusedKernelGraphBuilder"/>).</param>
    public static (OnnxGraphBuilder Graph, IReadOnlyList<WanVaeCacheSlot> Caches) Decoder(WanVaeModel model, DType computeType, bool firstChunk,
        bool fusedKernels = false)
    {
        var contract = model.Config.Contract;
        var signature = contract.Decoder(firstChunk, fusedKernels);
        var g = NewGraph(computeType, fusedKernels);
        var latents = g.Input(signature.Inputs.Single());
        var cache = new WanVaeChunkCache<OnnxValue>(firstChunk ? null : slot => g.Input(slot.InputName, computeType, slot.Dims(LatentHeight, LatentWidth)));
        var video = model.DecodeChunk(g, latents, cache);
        int level = contract.SpatialLevels;
        if (cache.Level != level) throw new InvalidOperationException($"the decoder upsampled {cache.Level} times, expected {level}");
        g.Output(video, signature.Outputs.Single());
        OutputCaches(g, cache, LatentHeight, LatentWidth);
        return (g, cache.Slots);
    }

    /// <param name="fusedKernels">Emit the compound operators (channel RMS norm + SiLU) as nodes of the CUDA kernel library (see <see cref="FusedKernelGraphBuilder"/>).</param>
    public static (OnnxGraphBuilder Graph, IReadOnlyList<WanVaeCacheSlot> Caches) Encoder(WanVaeModel model, DType computeType, bool firstChunk,
        bool fusedKernels = false)
    {
        var contract = model.Config.Contract;
        var signature = contract.Encoder(firstChunk, fusedKernels);
        var g = NewGraph(computeType, fusedKernels);
        var video = g.Input(signature.Inputs.Single());
        var cache = new WanVaeChunkCache<OnnxValue>(firstChunk ? null : slot => g.Input(slot.InputName, computeType, slot.Dims(VideoHeight, VideoWidth)));
        var mean = model.EncodeChunk(g, video, cache);
        int level = -contract.SpatialLevels;
        if (cache.Level != level) throw new InvalidOperationException($"the encoder downsampled {-cache.Level} times, expected {-level}");
        g.Output(mean, signature.Outputs.Single());
        OutputCaches(g, cache, VideoHeight, VideoWidth);
        return (g, cache.Slots);
    }

    static void OutputCaches(OnnxGraphBuilder g, WanVaeChunkCache<OnnxValue> cache, string height, string width)
    {
        foreach (var (slot, value) in cache.Slots.Zip(cache.Next))
            g.Output(value, slot.OutputName, slot.Dims(height, width));
    }

    /// <summary>Throws unless the first-chunk graph leaves exactly the caches the next graph takes.</summary>
    public static void CheckSameLayout(IReadOnlyList<WanVaeCacheSlot> first, IReadOnlyList<WanVaeCacheSlot> next, string what)
    {
        if (first.Count != next.Count || first.Zip(next).Any(p => p.First != p.Second))
            throw new InvalidOperationException($"{what}: the first chunk's caches ({first.Count}) differ from the next chunks' ({next.Count})");
    }
}
