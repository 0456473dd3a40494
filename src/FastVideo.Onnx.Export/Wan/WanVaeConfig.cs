using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Contracts.Wan;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// The fields of an AutoencoderKLWan config.json, with Diffusers' defaults: the Wan2.1 VAE (8x spatial compression) and
/// the Wan2.2 one (<c>is_residual</c>: residual down/up blocks with averaging / duplicating shortcuts; <c>patch_size</c>
/// 2 folded into channels around the network; 16x spatial compression). Both compress time 4x; configurations the
/// chunked graphs cannot express are refused with the file and field named.
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
    public bool IsResidual { get; init; }

    /// <summary>Compression factors, patch size and video channels (<c>scale_factor_spatial</c>, <c>scale_factor_temporal</c>, <c>patch_size</c>).</summary>
    public WanVaeContract Contract { get; init; } = new(16, 3, 3, ChunkTemporalCompression, 8);

    public int PatchSize => Contract.PatchSize;

    // Video frames per latent frame after the first: the frame count of every chunk after the first, fixed by the
    // chunked graphs (both Wan VAEs compress time 4x).
    const int ChunkTemporalCompression = 4;

    /// <summary>The parameters of Diffusers' <c>AutoencoderKLWan.__init__</c>. <c>dropout</c> only acts in training.</summary>
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
            IsResidual = json.GetBool("is_residual", false),
            Contract = WanVaeContract.FromConfig(json),
        };
        void Check(bool ok, string field, string problem)
        {
            if (!ok) throw new ModelFormatException(json.Path, $"field '{field}' {problem}");
        }
        Check(!json.Has("attn_scales") || json.GetDoubleArray("attn_scales").Length == 0, "attn_scales",
            "is not empty; attention in the encoder's down blocks is not supported (neither Wan VAE has it)");
        Check(c.BaseDim > 0, "base_dim", "must be positive");
        Check(c.DecoderBaseDim is null or > 0, "decoder_base_dim", "must be positive");
        Check(c.ZDim > 0, "z_dim", "must be positive");
        Check(c.NumResBlocks > 0, "num_res_blocks", "must be positive");
        Check(c.InChannels > 0, "in_channels", "must be positive");
        Check(c.OutChannels > 0, "out_channels", "must be positive");
        Check(c.DimMult.Length > 0 && c.DimMult.All(m => m > 0), "dim_mult", "must be positive integers");
        int p = c.PatchSize;
        // The chunked protocol: 1 latent frame <-> 4 video frames; one spatial halving per level but the last, times the patch.
        int spatial = (1 << (c.DimMult.Length - 1)) * p;
        Check(c.Contract.SpatialCompression == spatial, "scale_factor_spatial",
            $"is {c.Contract.SpatialCompression}, but {c.DimMult.Length} levels (dim_mult) with patch_size {p} compress {spatial}x");
        Check(c.TemperalDownsample.Length == c.DimMult.Length - 1, "temperal_downsample", $"must have {c.DimMult.Length - 1} entries (one per downsampling)");
        Check(1 << c.TemperalDownsample.Count(t => t) == ChunkTemporalCompression, "temperal_downsample",
            $"must downsample time twice ({ChunkTemporalCompression}x temporal compression, as the chunked graphs assume)");
        Check(c.Contract.TemporalCompression == ChunkTemporalCompression,
            "scale_factor_temporal", $"must be {ChunkTemporalCompression} (the chunked graphs take {ChunkTemporalCompression} frames per call)");
        if (c.IsResidual)
        {
            // Diffusers' AvgDown3D / DupUp3D shortcuts regroup channels: these divisibilities are its assertions.
            int[] enc = new[] { 1 }.Concat(c.DimMult).Select(m => c.BaseDim * m).ToArray();
            for (int i = 0; i < c.DimMult.Length; i++)
            {
                int factor = (i < c.DimMult.Length - 1 ? 4 : 1) * (i < c.DimMult.Length - 1 && c.TemperalDownsample[i] ? 2 : 1);
                Check(enc[i] * factor % enc[i + 1] == 0, "dim_mult", $"gives encoder block {i} widths {enc[i]} -> {enc[i + 1]}, which its averaging shortcut cannot regroup");
            }
        }
        // latents_mean / latents_std are validated (length z_dim) where they are used.
        WanVaeNormalization.FromConfig(json);
        return c;
    }
}
