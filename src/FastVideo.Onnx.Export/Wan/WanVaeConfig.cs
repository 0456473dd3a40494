using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Contracts.Wan;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// The fields of an AutoencoderKLWan config.json, with Diffusers' defaults. Only the Wan2.1 VAE is supported
/// (<c>is_residual</c> false, no <c>patch_size</c>, 8x spatial and 4x temporal compression, no attention in the
/// encoder's down blocks); other configurations are refused with the file and field named.
/// </summary>
public sealed record WanVaeConfig
{
    public string Path { get; init; } = "config.json";
    public int BaseDim { get; init; } = 96;
    public int? DecoderBaseDim { get; init; }
    public int ZDim { get; init; } = 16;
    public int[] DimMult { get; init; } = { 1, 2, 4, 4 };
    public int NumResBlocks { get; init; } = 2;
    public bool[] TemperalDownsample { get; init; } = { false, true, true };
    public int InChannels { get; init; } = 3;
    public int OutChannels { get; init; } = 3;

    /// <summary>Video frames per latent frame after the first (<c>scale_factor_temporal</c>).</summary>
    public int TemporalCompression { get; init; } = Wan21TemporalCompression;

    /// <summary>Video pixels per latent pixel along height and width (<c>scale_factor_spatial</c>).</summary>
    public int SpatialCompression { get; init; } = Wan21SpatialCompression;

    // The compressions of the Wan2.1 VAE, the one this definition implements.
    const int Wan21TemporalCompression = 4;
    const int Wan21SpatialCompression = 8;

    /// <summary>The converted graphs' contract for this config.</summary>
    public WanVaeContract Contract => new(ZDim, InChannels, OutChannels, TemporalCompression, SpatialCompression);

    /// <summary>
    /// The parameters of Diffusers' <c>AutoencoderKLWan.__init__</c>. <c>dropout</c> only acts in training; the Wan2.2
    /// ones (<c>is_residual</c>, <c>patch_size</c>, 16x <c>scale_factor_spatial</c>) are refused.
    /// </summary>
    public static readonly IReadOnlyCollection<string> Fields = new[]
    {
        "base_dim", "decoder_base_dim", "z_dim", "dim_mult", "num_res_blocks", "attn_scales", "temperal_downsample", "dropout",
        "latents_mean", "latents_std", "is_residual", "in_channels", "out_channels", "patch_size", "scale_factor_temporal", "scale_factor_spatial",
    };

    /// <summary>Diffusers reverses the encoder's temporal downsampling flags for the decoder.</summary>
    public bool[] TemperalUpsample => TemperalDownsample.Reverse().ToArray();

    public static WanVaeConfig FromJson(JsonConfig json)
    {
        var c = new WanVaeConfig
        {
            Path = json.Path,
            BaseDim = json.GetInt("base_dim", 96),
            DecoderBaseDim = json.GetIntOrNull("decoder_base_dim"),
            ZDim = json.GetInt("z_dim", 16),
            DimMult = json.GetIntArray("dim_mult", new[] { 1, 2, 4, 4 }),
            NumResBlocks = json.GetInt("num_res_blocks", 2),
            TemperalDownsample = json.GetBoolArray("temperal_downsample", new[] { false, true, true }),
            InChannels = json.GetInt("in_channels", 3),
            OutChannels = json.GetInt("out_channels", 3),
            TemporalCompression = WanVaeContract.FromConfig(json).TemporalCompression,
            SpatialCompression = WanVaeContract.FromConfig(json).SpatialCompression,
        };
        void Check(bool ok, string field, string problem)
        {
            if (!ok) throw new ModelFormatException(json.Path, $"field '{field}' {problem}");
        }
        Check(!json.GetBool("is_residual", false), "is_residual",
            "is true (the Wan2.2 VAE, with residual up/down blocks), which is not supported yet (only the Wan2.1 VAE, is_residual false)");
        Check(!json.Has("patch_size"), "patch_size", "is set (the Wan2.2 VAE patchifies its input), which is not supported yet (only the Wan2.1 VAE, patch_size null)");
        Check(!json.Has("attn_scales") || json.GetDoubleArray("attn_scales").Length == 0, "attn_scales",
            "is not empty; only the Wan2.1 VAE (no attention in the encoder's down blocks) is supported");
        Check(c.BaseDim > 0, "base_dim", "must be positive");
        Check(c.DecoderBaseDim is null or > 0, "decoder_base_dim", "must be positive");
        Check(c.ZDim > 0, "z_dim", "must be positive");
        Check(c.NumResBlocks > 0, "num_res_blocks", "must be positive");
        Check(c.InChannels > 0, "in_channels", "must be positive");
        Check(c.OutChannels > 0, "out_channels", "must be positive");
        Check(c.DimMult.Length > 0 && c.DimMult.All(m => m > 0), "dim_mult", "must be positive integers");
        // The chunked protocol (1 latent frame <-> 4 video frames, 8x8 pixels per latent) holds for these shapes only.
        Check(c.TemporalCompression == Wan21TemporalCompression, "scale_factor_temporal", $"must be {Wan21TemporalCompression} for this VAE");
        Check(c.SpatialCompression == Wan21SpatialCompression, "scale_factor_spatial",
            $"must be {Wan21SpatialCompression} for this VAE (other compressions, such as Wan2.2's 16, are not supported yet)");
        Check(1 << (c.DimMult.Length - 1) == c.SpatialCompression, "dim_mult",
            $"has {c.DimMult.Length} levels; the Wan2.1 VAE has 4 (8x spatial compression)");
        Check(c.TemperalDownsample.Length == c.DimMult.Length - 1, "temperal_downsample", $"must have {c.DimMult.Length - 1} entries (one per downsampling)");
        Check(1 << c.TemperalDownsample.Count(t => t) == c.TemporalCompression, "temperal_downsample",
            "must downsample time twice (4x temporal compression, as Wan2.1 and its chunked encoding assume)");
        // latents_mean / latents_std are validated (length z_dim) where they are used.
        WanVaeNormalization.FromConfig(json);
        return c;
    }
}
