using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Core.Models;

/// <summary>
/// How a Wan VAE (<c>AutoencoderKLWan</c>) maps video to latents, read from its config.json (the source folder's, or the
/// converted folder's copy): pixels per latent pixel along height and width (<c>scale_factor_spatial</c>: 8 for Wan2.1,
/// 16 for Wan2.2's patchified VAE), video frames per latent frame after the first (<c>scale_factor_temporal</c>), and
/// the patch size the encoder folds into channels before its first convolution (<c>patch_size</c>, 1 when unset).
/// Both the converter (graph signatures) and the runtime (latent sizes, request checks) take them from here, never from
/// constants.
/// </summary>
public sealed record WanVaeGeometry(int SpatialCompression, int TemporalCompression, int PatchSize)
{
    /// <summary>Diffusers' defaults for a config that omits the fields (the Wan2.1 VAE).</summary>
    public static WanVaeGeometry Wan21 { get; } = new(8, WanVaeChunking.TemporalCompression, 1);

    public static WanVaeGeometry FromConfig(JsonConfig config)
    {
        int spatial = config.GetIntOrNull("scale_factor_spatial") ?? Wan21.SpatialCompression;
        int temporal = config.GetIntOrNull("scale_factor_temporal") ?? Wan21.TemporalCompression;
        int patch = config.GetIntOrNull("patch_size") ?? 1;
        if (spatial <= 0) throw new ModelFormatException(config.Path, $"field 'scale_factor_spatial' is {spatial}; it must be positive");
        if (temporal <= 0) throw new ModelFormatException(config.Path, $"field 'scale_factor_temporal' is {temporal}; it must be positive");
        if (patch <= 0) throw new ModelFormatException(config.Path, $"field 'patch_size' is {patch}; it must be positive");
        return new WanVaeGeometry(spatial, temporal, patch);
    }

    /// <summary>Reads <c>config.json</c> of a vae component folder.</summary>
    public static WanVaeGeometry Load(string vaeFolder) => FromConfig(JsonConfig.Load(Path.Combine(vaeFolder, "config.json")));

    /// <summary>Latent frames for <paramref name="videoFrames"/> video frames: 1 + (n - 1) / temporal compression.</summary>
    public int LatentFrames(int videoFrames) => (videoFrames - 1) / TemporalCompression + 1;
}
