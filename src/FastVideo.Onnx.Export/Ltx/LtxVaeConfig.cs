using FastVideo.Onnx.Core.Errors;
using System.Text.Json;
using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// The fields of an AutoencoderKLLTXVideo config.json, with Diffusers' defaults (the 0.9.0 layout). The layouts Diffusers
/// expresses: 0.9.0 (<c>LTXVideoDownBlock3D</c>, strided-conv downsampling), 0.9.1 (plus a timestep-conditioned decoder)
/// and 0.9.5/0.9.7 (<c>LTXVideo095DownBlock3D</c>: space-to-depth downsampling, residual depth-to-space upsampling).
/// Decoder noise injection is refused (it draws noise inside the decoder); everything else is read or refused by name.
/// </summary>
internal sealed record LtxVaeConfig
{
    public const string DownBlock = "LTXVideoDownBlock3D";
    public const string DownBlock095 = "LTXVideo095DownBlock3D";
    public static readonly string[] DownsampleTypes = { "conv", "spatial", "temporal", "spatiotemporal" };

    public int InChannels { get; init; } = 3;
    public int OutChannels { get; init; } = 3;
    public int LatentChannels { get; init; } = 128;
    public int[] BlockOutChannels { get; init; } = { 128, 256, 512, 512 };
    public string[] DownBlockTypes { get; init; } = { DownBlock, DownBlock, DownBlock, DownBlock };
    public int[] DecoderBlockOutChannels { get; init; } = { 128, 256, 512, 512 };
    public int[] LayersPerBlock { get; init; } = { 4, 3, 3, 3, 4 };
    public int[] DecoderLayersPerBlock { get; init; } = { 4, 3, 3, 3, 4 };
    public bool[] SpatioTemporalScaling { get; init; } = { true, true, true, false };
    public bool[] DecoderSpatioTemporalScaling { get; init; } = { true, true, true, false };
    public string[] DownsampleType { get; init; } = { "conv", "conv", "conv", "conv" };
    public bool[] UpsampleResidual { get; init; } = { false, false, false, false };
    public int[] UpsampleFactor { get; init; } = { 1, 1, 1, 1 };
    public bool TimestepConditioning { get; init; }
    public int PatchSize { get; init; } = 4;
    public int PatchSizeT { get; init; } = 1;
    public double ResnetNormEps { get; init; } = 1e-6;
    public double ScalingFactor { get; init; } = 1.0;
    public bool EncoderCausal { get; init; } = true;
    public bool DecoderCausal { get; init; }

    /// <summary>True for the 0.9.5 encoder (its last down block is LTXVideo095DownBlock3D), as Diffusers decides it.</summary>
    public bool Is095 => DownBlockTypes[^1] == DownBlock095;

    /// <summary>Spatial compression of the encoder as built (patch size times each downsampler's spatial stride).</summary>
    public int SpatialCompression { get; init; }

    /// <summary>Temporal compression of the encoder as built (each downsampler's temporal stride).</summary>
    public int TemporalCompression { get; init; }

    /// <summary>The parameters of Diffusers' <c>AutoencoderKLLTXVideo.__init__</c>.</summary>
    public static readonly IReadOnlyCollection<string> Fields = new[]
    {
        "in_channels", "out_channels", "latent_channels", "block_out_channels", "down_block_types", "decoder_block_out_channels",
        "layers_per_block", "decoder_layers_per_block", "spatio_temporal_scaling", "decoder_spatio_temporal_scaling", "decoder_inject_noise",
        "downsample_type", "upsample_residual", "upsample_factor", "timestep_conditioning", "patch_size", "patch_size_t", "resnet_norm_eps",
        "scaling_factor", "encoder_causal", "decoder_causal", "spatial_compression_ratio", "temporal_compression_ratio",
    };

    /// <summary>The (t, h, w) stride of a downsampler of the given type.</summary>
    public static (int T, int H, int W) Stride(string downsampleType) => downsampleType switch
    {
        "spatial" => (1, 2, 2),
        "temporal" => (2, 1, 1),
        _ => (2, 2, 2),
    };

    public static LtxVaeConfig FromJson(JsonConfig json)
    {
        void Check(bool ok, string field, string problem)
        {
            if (!ok) throw new ModelFormatException(json.Path, $"field '{field}' {problem}");
        }
        var blocks = json.GetIntArray("block_out_channels", new[] { 128, 256, 512, 512 });
        var types = Strings(json, "down_block_types") ?? new[] { DownBlock, DownBlock, DownBlock, DownBlock };
        Check(types.Length > 0, "down_block_types", "must not be empty");
        foreach (var t in types)
            Check(t is DownBlock or DownBlock095, "down_block_types", $"entry '{t}' is not supported ({DownBlock} or {DownBlock095})");
        bool is095 = types[^1] == DownBlock095;
        int downBlocks = blocks.Length - (is095 ? 1 : 0);
        Check(blocks.Length >= 1 && blocks.All(c => c > 0), "block_out_channels", "must be positive channel counts");
        Check(types.Length >= downBlocks, "down_block_types", $"has {types.Length} entries; block_out_channels implies {downBlocks} down blocks");

        var c = new LtxVaeConfig
        {
            InChannels = json.GetInt("in_channels", 3),
            OutChannels = json.GetInt("out_channels", 3),
            LatentChannels = json.GetInt("latent_channels", 128),
            BlockOutChannels = blocks,
            DownBlockTypes = types,
            DecoderBlockOutChannels = json.GetIntArray("decoder_block_out_channels", new[] { 128, 256, 512, 512 }),
            LayersPerBlock = json.GetIntArray("layers_per_block", new[] { 4, 3, 3, 3, 4 }),
            DecoderLayersPerBlock = json.GetIntArray("decoder_layers_per_block", new[] { 4, 3, 3, 3, 4 }),
            SpatioTemporalScaling = json.GetBoolArray("spatio_temporal_scaling", new[] { true, true, true, false }),
            DecoderSpatioTemporalScaling = json.GetBoolArray("decoder_spatio_temporal_scaling", new[] { true, true, true, false }),
            DownsampleType = Strings(json, "downsample_type") ?? new[] { "conv", "conv", "conv", "conv" },
            UpsampleResidual = json.GetBoolArray("upsample_residual", new[] { false, false, false, false }),
            UpsampleFactor = json.GetIntArray("upsample_factor", new[] { 1, 1, 1, 1 }),
            TimestepConditioning = json.GetBool("timestep_conditioning", false),
            PatchSize = json.GetInt("patch_size", 4),
            PatchSizeT = json.GetInt("patch_size_t", 1),
            ResnetNormEps = json.GetDouble("resnet_norm_eps", 1e-6),
            ScalingFactor = json.GetDouble("scaling_factor", 1.0),
            EncoderCausal = json.GetBool("encoder_causal", true),
            DecoderCausal = json.GetBool("decoder_causal", false),
        };
        Check(c.InChannels > 0, "in_channels", "must be positive");
        Check(c.OutChannels > 0, "out_channels", "must be positive");
        Check(c.LatentChannels > 1, "latent_channels", "must be at least 2");
        Check(c.PatchSize > 0, "patch_size", "must be positive");
        // Diffusers' encoder patchifies with patch_size only (its conv_in takes in_channels·patch_size² channels)
        Check(c.PatchSizeT == 1, "patch_size_t", $"is {c.PatchSizeT}; only 1 is supported (Diffusers' encoder and decoder assume it)");
        Check(c.ScalingFactor > 0, "scaling_factor", "must be positive");
        Check(c.LayersPerBlock.Length >= downBlocks + 1, "layers_per_block", $"needs {downBlocks + 1} entries (down blocks and mid block)");
        Check(c.LayersPerBlock.All(n => n >= 0), "layers_per_block", "must not be negative");
        Check(c.SpatioTemporalScaling.Length >= downBlocks, "spatio_temporal_scaling", $"needs {downBlocks} entries");
        if (is095 || types.Contains(DownBlock095))
        {
            Check(c.DownsampleType.Length >= downBlocks, "downsample_type", $"needs {downBlocks} entries");
            foreach (var t in c.DownsampleType)
                Check(DownsampleTypes.Contains(t), "downsample_type", $"entry '{t}' is not supported ({string.Join(", ", DownsampleTypes)})");
        }
        int ups = c.DecoderBlockOutChannels.Length;
        Check(ups >= 1 && c.DecoderBlockOutChannels.All(v => v > 0), "decoder_block_out_channels", "must be positive channel counts");
        Check(c.DecoderLayersPerBlock.Length == ups + 1, "decoder_layers_per_block", $"needs {ups + 1} entries (mid block and {ups} up blocks)");
        Check(c.DecoderSpatioTemporalScaling.Length == ups, "decoder_spatio_temporal_scaling", $"needs {ups} entries");
        Check(c.UpsampleResidual.Length >= ups, "upsample_residual", $"needs {ups} entries");
        Check(c.UpsampleFactor.Length >= ups && c.UpsampleFactor.Take(ups).All(f => f > 0), "upsample_factor", $"needs {ups} positive entries");
        var injectNoise = json.GetBoolArray("decoder_inject_noise", new[] { false, false, false, false, false });
        Check(!injectNoise.Any(b => b), "decoder_inject_noise",
            "is set; decoder noise injection is not supported (it draws noise inside the decoder's residual blocks)");

        if (c.TimestepConditioning)
        {
            // Diffusers hands a timestep-conditioned up block's conv_in the raw timestep instead of an embedding, so a
            // decoder whose up blocks change the channel count cannot run with timestep conditioning
            var reversed = c.DecoderBlockOutChannels.Reverse().ToArray();
            var factors = c.UpsampleFactor.Take(ups).Reverse().ToArray();
            int output = reversed[0];
            for (int i = 0; i < ups; i++)
            {
                int input = output / factors[i];
                output = reversed[i] / factors[i];
                Check(input == output, "decoder_block_out_channels",
                    $"makes up block {i} change channels ({input} -> {output}), which a timestep-conditioned decoder cannot do");
            }
        }

        // the compression the encoder actually builds, which the stated ratios must agree with (the runtime sizes latents by it)
        int spatial = c.PatchSize, temporal = c.PatchSizeT;
        for (int i = 0; i < downBlocks; i++)
        {
            if (!c.SpatioTemporalScaling[i]) continue;
            var (st, sh, _) = types[i] == DownBlock095 ? Stride(c.DownsampleType[i]) : (2, 2, 2);
            spatial *= sh;
            temporal *= st;
        }
        var statedSpatial = json.GetIntOrNull("spatial_compression_ratio");
        var statedTemporal = json.GetIntOrNull("temporal_compression_ratio");
        Check(statedSpatial is null || statedSpatial == spatial, "spatial_compression_ratio",
            $"is {statedSpatial}, but the encoder's layout compresses {spatial}x spatially");
        Check(statedTemporal is null || statedTemporal == temporal, "temporal_compression_ratio",
            $"is {statedTemporal}, but the encoder's layout compresses {temporal}x in time");
        return c with { SpatialCompression = spatial, TemporalCompression = temporal };
    }

    /// <summary>A list of strings, or null when the field is absent; anything else is an error naming the field.</summary>
    static string[]? Strings(JsonConfig json, string field)
    {
        if (!json.Has(field)) return null;
        if (json.Root[field] is JsonArray array && array.All(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String))
            return array.Select(n => n!.GetValue<string>()).ToArray();
        throw new ModelFormatException(json.Path, $"field '{field}' must be a list of strings, not {JsonConfig.Describe(json.Root[field])}");
    }
}
