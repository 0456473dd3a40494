using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Export.Onnx;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// One causal cache of a VAE chunk graph: the frames a causal convolution keeps from the previous chunk. Its shape is
/// [batch, <see cref="Channels"/>, <see cref="Frames"/>, H·2^<see cref="Level"/>, W·2^<see cref="Level"/>] where H, W
/// are the graph's input height and width (latent for the decoder, video for the encoder, whose levels are negative).
/// Slots are numbered in the order the forward reaches their convolutions (Diffusers' <c>feat_idx</c> order); graph
/// input <c>cache_i</c> and output <c>next_cache_i</c> carry slot i.
/// </summary>
/// <param name="Module">Dotted path of the convolution that owns the cache, e.g. <c>decoder.up_blocks.0.upsamplers.0.time_conv</c>.</param>
public sealed record WanVaeCacheSlot(int Index, string Module, long Channels, int Frames, int Level)
{
    public string InputName => WanVaeChunking.CacheInput(Index);
    public string OutputName => WanVaeChunking.CacheOutput(Index);

    /// <summary>Spatial size at this slot's level for an input of size <paramref name="size"/> (floor halving when downsampling, as the strided convolutions do).</summary>
    public long Scaled(long size) => Level >= 0 ? size << Level : size >> -Level;

    public long[] Shape(long batch, long height, long width) => new[] { batch, Channels, Frames, Scaled(height), Scaled(width) };

    /// <summary>Named dims for a graph signature: <c>latent_height*4</c>, <c>video_width/2</c>, ...</summary>
    public Dim[] Dims(string height, string width) =>
        new Dim[] { WanVaeChunking.BatchDim, Channels, Frames, WanVaeChunking.ScaledDim(height, Level), WanVaeChunking.ScaledDim(width, Level) };

    public override string ToString() => $"{InputName} [{string.Join(", ", Dims("H", "W").Select(d => d.ToString()))}] ({Module})";
}
