using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Core.Contracts.Ltx;

/// <summary>
/// What the runtime reads from an AutoencoderKLLTXVideo config.json: latent channels, compression factors (the stated
/// <c>spatial_compression_ratio</c> / <c>temporal_compression_ratio</c>, else Diffusers' defaults patch_size·2^n and
/// patch_size_t·2^n over the scaling blocks) and whether the decoder is timestep-conditioned.
/// </summary>
internal sealed record LtxVaeLayout(int LatentChannels, int TemporalCompression, int SpatialCompression, bool TimestepConditioning)
{
    public const string ComponentClass = "AutoencoderKLLTXVideo";

    public static LtxVaeLayout FromConfig(JsonConfig config)
    {
        int scaling = config.GetBoolArray("spatio_temporal_scaling", new[] { true, true, true, false }).Count(b => b);
        int spatial = config.GetIntOrNull("spatial_compression_ratio") ?? config.GetInt("patch_size", 4) * (1 << scaling);
        int temporal = config.GetIntOrNull("temporal_compression_ratio") ?? config.GetInt("patch_size_t", 1) * (1 << scaling);
        int channels = config.GetInt("latent_channels", 128);
        if (spatial < 1) throw new ModelFormatException(config.Path, $"field 'spatial_compression_ratio' must be positive (got {spatial})");
        if (temporal < 1) throw new ModelFormatException(config.Path, $"field 'temporal_compression_ratio' must be positive (got {temporal})");
        return new LtxVaeLayout(channels, temporal, spatial, config.GetBool("timestep_conditioning", false));
    }
}
