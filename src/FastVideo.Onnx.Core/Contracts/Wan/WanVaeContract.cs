using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Core.Contracts.Wan;

/// <summary>
/// The converted <c>AutoencoderKLWan</c>, with the sizes of its config.json: latent channels (<c>z_dim</c>), the video
/// channels its graphs take and return (<c>in_channels</c> / <c>out_channels</c> divided by <c>patch_size</c>², since the
/// Wan2.2 VAE folds 2x2 pixels into channels inside its graphs: 3, RGB, for both VAEs), the compression factors
/// Diffusers' Wan pipelines read from it (<c>scale_factor_temporal</c>, <c>scale_factor_spatial</c>: 4 and 8 for Wan2.1,
/// 4 and 16 for Wan2.2's VAE) and that patch size (1 when unset). Both the converter (graph signatures) and the runtime
/// (latent sizes, request checks) take them from here, never from constants. The graphs' tensor names and calling
/// protocol are <see cref="WanVaeChunking"/>'s.
/// </summary>
public sealed record WanVaeContract(int ZDim, int InChannels, int OutChannels, int TemporalCompression, int SpatialCompression, int PatchSize = 1)
{
    public const string ComponentClass = "AutoencoderKLWan";

    public static WanVaeContract FromConfig(JsonConfig config)
    {
        int temporal = config.GetInt("scale_factor_temporal", 4);
        int spatial = config.GetInt("scale_factor_spatial", 8);
        int patch = config.GetIntOrNull("patch_size") ?? 1;
        if (temporal <= 0) throw new ModelFormatException(config.Path, $"field 'scale_factor_temporal' is {temporal}; it must be positive");
        if (spatial <= 0) throw new ModelFormatException(config.Path, $"field 'scale_factor_spatial' is {spatial}; it must be positive");
        if (patch <= 0) throw new ModelFormatException(config.Path, $"field 'patch_size' is {patch}; it must be positive");
        return new(config.GetInt("z_dim", 16), VideoChannels(config, "in_channels", patch), VideoChannels(config, "out_channels", patch),
            temporal, spatial, patch);
    }

    /// <summary>Reads <c>config.json</c> of a vae component folder.</summary>
    public static WanVaeContract Load(string vaeFolder) => FromConfig(JsonConfig.Load(Path.Combine(vaeFolder, "config.json")));

    // The config counts channels after patchifying (12 = 3 x 2 x 2 for Wan2.2); the graphs' video has them before.
    static int VideoChannels(JsonConfig config, string field, int patch)
    {
        int channels = config.GetInt(field, 3 * patch * patch);
        if (channels <= 0) throw new ModelFormatException(config.Path, $"field '{field}' is {channels}; it must be positive");
        if (channels % (patch * patch) != 0)
            throw new ModelFormatException(config.Path,
                $"field '{field}' is {channels}, not a multiple of patch_size^2 = {patch * patch} (the encoder folds {patch}x{patch} pixels into channels)");
        return channels / (patch * patch);
    }

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
