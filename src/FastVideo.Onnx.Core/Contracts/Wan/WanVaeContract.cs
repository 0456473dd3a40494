using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Core.Contracts.Wan;

/// <summary>
/// The converted <c>AutoencoderKLWan</c>, with the sizes of its config.json: latent channels (<c>z_dim</c>), video
/// channels, and the compression factors Diffusers' Wan pipelines read from it (<c>scale_factor_temporal</c>,
/// <c>scale_factor_spatial</c>: 4 and 8 for Wan2.1, 4 and 16 for Wan2.2's VAE). The graphs' tensor names and calling
/// protocol are <see cref="WanVaeChunking"/>'s.
/// </summary>
public sealed record WanVaeContract(int ZDim, int InChannels, int OutChannels, int TemporalCompression, int SpatialCompression)
{
    public const string ComponentClass = "AutoencoderKLWan";

    public static WanVaeContract FromConfig(JsonConfig config) =>
        new(config.GetInt("z_dim", 16), config.GetInt("in_channels", 3), config.GetInt("out_channels", 3),
            config.GetInt("scale_factor_temporal", 4), config.GetInt("scale_factor_spatial", 8));

    /// <summary>Video frames a decode of <paramref name="latentFrames"/> latent frames yields: 1 + t (n - 1).</summary>
    public int VideoFrames(int latentFrames) =>
        latentFrames >= 1 ? 1 + TemporalCompression * (latentFrames - 1) : throw new ArgumentOutOfRangeException(nameof(latentFrames));

    /// <summary>
    /// Latent frames an encode of <paramref name="videoFrames"/> frames yields. Diffusers silently drops trailing frames
    /// that do not fill a chunk of t; here the count must be 1 + t·k.
    /// </summary>
    public int LatentFrames(int videoFrames)
    {
        if (videoFrames < 1 || (videoFrames - 1) % TemporalCompression != 0)
            throw new InvalidRequestException("NumFrames", $"{videoFrames} video frames cannot be encoded: this VAE needs 1 + {TemporalCompression}k frames");
        return 1 + (videoFrames - 1) / TemporalCompression;
    }

    /// <summary>The decoder graph of the first latent frame (<paramref name="first"/>) or of each later one, with its fixed inputs and outputs.</summary>
    public GraphContract Decoder(bool first, bool fused = false)
    {
        int level = Log2(SpatialCompression);
        var inputs = new[] { new TensorContract(WanVaeChunking.LatentsName, DType.Float32, WanVaeChunking.BatchDim, ZDim, 1, WanVaeChunking.LatentHeightDim, WanVaeChunking.LatentWidthDim) };
        var outputs = new[]
        {
            new TensorContract(WanVaeChunking.VideoName, DType.Float32, WanVaeChunking.BatchDim, OutChannels, first ? 1 : TemporalCompression,
                WanVaeChunking.ScaledDim(WanVaeChunking.LatentHeightDim, level), WanVaeChunking.ScaledDim(WanVaeChunking.LatentWidthDim, level)),
        };
        string file = first ? WanVaeChunking.DecoderFirstGraph : WanVaeChunking.DecoderGraph;
        return new GraphContract(fused ? WanVaeChunking.FusedGraph(file) : file, inputs, outputs) { StateInputPrefix = WanVaeChunking.CachePrefix, StateOutputPrefix = WanVaeChunking.NextCachePrefix };
    }

    /// <summary>The encoder graph of the first video frame (<paramref name="first"/>) or of each later chunk of t frames.</summary>
    public GraphContract Encoder(bool first, bool fused = false)
    {
        int level = -Log2(SpatialCompression);
        var inputs = new[]
        {
            new TensorContract(WanVaeChunking.VideoName, DType.Float32, WanVaeChunking.BatchDim, InChannels, first ? 1 : TemporalCompression,
                WanVaeChunking.VideoHeightDim, WanVaeChunking.VideoWidthDim),
        };
        var outputs = new[]
        {
            new TensorContract(WanVaeChunking.LatentMeanName, DType.Float32, WanVaeChunking.BatchDim, ZDim, 1,
                WanVaeChunking.ScaledDim(WanVaeChunking.VideoHeightDim, level), WanVaeChunking.ScaledDim(WanVaeChunking.VideoWidthDim, level)),
        };
        string file = first ? WanVaeChunking.EncoderFirstGraph : WanVaeChunking.EncoderGraph;
        return new GraphContract(fused ? WanVaeChunking.FusedGraph(file) : file, inputs, outputs) { StateInputPrefix = WanVaeChunking.CachePrefix, StateOutputPrefix = WanVaeChunking.NextCachePrefix };
    }

    /// <summary>All eight graphs: the four portable ones in <see cref="WanVaeChunking.Graphs"/> order, then their fused twins.</summary>
    public IReadOnlyList<GraphContract> Graphs =>
        new[] { false, true }.SelectMany(fused => new[] { Decoder(true, fused), Decoder(false, fused), Encoder(true, fused), Encoder(false, fused) }).ToList();

    /// <summary>The number of 2x resamplings between video and latent pixels.</summary>
    public int SpatialLevels => Log2(SpatialCompression);

    static int Log2(int v) => 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)v);
}
