using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// Diffusers' LTXVideoDecoder3d: <c>conv_in</c>, a mid block, up blocks (reversed channel list, each divided by its
/// upsample factor), channel RMSNorm, the timestep modulation of the 0.9.1+ decoder (its own <c>scale_shift_table</c> and
/// <c>time_embedder</c>, the timestep first multiplied by <c>timestep_scale_multiplier</c>), SiLU, <c>conv_out</c> and unpatchify.
/// </summary>
internal sealed class LtxVideoDecoder3d : Module
{
    readonly LtxVaeConfig _config;
    readonly int _outputChannels;
    public LtxCausalConv3d ConvIn { get; }
    public LtxMidBlock3d MidBlock { get; }
    public ModuleList<LtxUpBlock3d> UpBlocks { get; }
    public LtxCausalConv3d ConvOut { get; }
    public Parameter? TimestepScaleMultiplier { get; }
    public LtxVaeTimeEmbedder? TimeEmbedder { get; }
    public Parameter? ScaleShiftTable { get; }

    public LtxVideoDecoder3d(LtxVaeConfig c)
    {
        _config = c;
        var boc = c.DecoderBlockOutChannels.Reverse().ToArray();
        var scaling = c.DecoderSpatioTemporalScaling.Reverse().ToArray();
        var layers = c.DecoderLayersPerBlock.Reverse().ToArray();
        int ups = boc.Length;
        var residual = c.UpsampleResidual.Take(ups).Reverse().ToArray();
        var factor = c.UpsampleFactor.Take(ups).Reverse().ToArray();
        bool causal = c.DecoderCausal, tc = c.TimestepConditioning;
        int output = boc[0];
        ConvIn = Add("conv_in", new LtxCausalConv3d(c.LatentChannels, output, 3, causal));
        MidBlock = Add("mid_block", new LtxMidBlock3d(output, layers[0], c.ResnetNormEps, causal, tc));
        var blocks = new List<LtxUpBlock3d>();
        for (int i = 0; i < ups; i++)
        {
            int input = output / factor[i];
            output = boc[i] / factor[i];
            blocks.Add(new LtxUpBlock3d(input, output, layers[i + 1], c.ResnetNormEps, scaling[i], causal, tc, residual[i], factor[i]));
        }
        UpBlocks = Add("up_blocks", new ModuleList<LtxUpBlock3d>(blocks));
        _outputChannels = output;
        ConvOut = Add("conv_out", new LtxCausalConv3d(output, c.OutChannels * c.PatchSize * c.PatchSize, 3, causal));
        if (tc)
        {
            TimestepScaleMultiplier = Param("timestep_scale_multiplier");
            TimeEmbedder = Add("time_embedder", new LtxVaeTimeEmbedder(output * 2));
            ScaleShiftTable = Param("scale_shift_table", 2, output);
        }
    }

    /// <param name="z">de-normalised latents [B, latent_channels, T, H, W]</param>
    /// <param name="timestep">decode timestep [B] float32 (timestep-conditioned decoders only)</param>
    /// <returns>video [B, out_channels, F, H·compression, W·compression]</returns>
    public T Forward<T>(ITensorOps<T> ops, T z, T? timestep)
    {
        using var _ = Enter(ops);
        var x = ConvIn.Forward(ops, z);
        T? scaled = default;
        if (TimestepScaleMultiplier is not null)
        {
            if (timestep is null) throw new InvalidOperationException("a timestep-conditioned decoder needs the decode timestep");
            scaled = ops.Mul(ops.Cast(timestep, DType.Float32), ops.Cast(ops.Weight(TimestepScaleMultiplier), DType.Float32));
        }
        x = MidBlock.Forward(ops, x, scaled);
        foreach (var block in UpBlocks.Items) x = block.Forward(ops, x, scaled);
        x = LtxVideoLayout.ChannelRmsNorm(ops, x, _outputChannels, LtxResnetBlock3d.NormEps);
        if (TimeEmbedder is not null)
        {
            // temb.view(B, 2, C, 1, 1, 1) + table[None, ..., None, None, None]: shift, scale
            var temb = ops.Reshape(TimeEmbedder.Forward(ops, scaled!), 0, 2, _outputChannels, 1, 1, 1);
            var table = ops.Reshape(ops.Cast(ops.Weight(ScaleShiftTable!), ops.TypeOf(temb)), 1, 2, _outputChannels, 1, 1, 1);
            var parts = ops.Split(ops.Add(temb, table), 1, 1, 1);
            var (shift, scale) = (ops.Squeeze(parts[0], 1), ops.Squeeze(parts[1], 1));
            x = ops.Add(ops.Mul(x, ops.Add(ops.Scalar(1, ops.TypeOf(x)), scale)), shift);
        }
        x = ConvOut.Forward(ops, ops.Silu(x));
        return LtxVideoLayout.Unpatchify(ops, x, _config.OutChannels, _config.PatchSize);
    }
}
