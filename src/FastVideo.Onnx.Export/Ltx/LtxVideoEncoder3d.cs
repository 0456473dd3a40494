using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// Diffusers' LTXVideoEncoder3d: patchify (patch_size² into channels), <c>conv_in</c>, the down blocks, a mid block,
/// channel RMSNorm, SiLU and <c>conv_out</c> to latent_channels + 1 (the mean and one shared log-variance channel).
/// Returns the posterior mean, the first latent_channels channels.
/// </summary>
internal sealed class LtxVideoEncoder3d : Module
{
    readonly LtxVaeConfig _config;
    readonly int _outputChannels;
    public LtxCausalConv3d ConvIn { get; }
    public ModuleList<LtxDownBlock3d> DownBlocks { get; }
    public LtxMidBlock3d MidBlock { get; }
    public LtxCausalConv3d ConvOut { get; }

    public LtxVideoEncoder3d(LtxVaeConfig c)
    {
        _config = c;
        var boc = c.BlockOutChannels;
        bool causal = c.EncoderCausal;
        int output = boc[0];
        ConvIn = Add("conv_in", new LtxCausalConv3d(c.InChannels * c.PatchSize * c.PatchSize, output, 3, causal));
        int count = boc.Length - (c.Is095 ? 1 : 0);
        var blocks = new List<LtxDownBlock3d>();
        for (int i = 0; i < count; i++)
        {
            int input = output;
            output = c.Is095 ? boc[i + 1] : i + 1 < count ? boc[i + 1] : boc[i];
            string downsample = i < c.DownsampleType.Length ? c.DownsampleType[i] : "conv";
            blocks.Add(new LtxDownBlock3d(c.DownBlockTypes[i], input, output, c.LayersPerBlock[i], c.ResnetNormEps, c.SpatioTemporalScaling[i],
                causal, downsample));
        }
        DownBlocks = Add("down_blocks", new ModuleList<LtxDownBlock3d>(blocks));
        MidBlock = Add("mid_block", new LtxMidBlock3d(output, c.LayersPerBlock[^1], c.ResnetNormEps, causal, timestepConditioning: false));
        _outputChannels = output;
        ConvOut = Add("conv_out", new LtxCausalConv3d(output, c.LatentChannels + 1, 3, causal));
    }

    /// <param name="video">[B, in_channels, F, H, W] in [-1, 1]</param>
    /// <returns>the posterior mean [B, latent_channels, T, H/compression, W/compression]</returns>
    public T Forward<T>(ITensorOps<T> ops, T video)
    {
        using var _ = Enter(ops);
        var x = LtxVideoLayout.Patchify(ops, video, _config.InChannels, _config.PatchSize);
        x = ConvIn.Forward(ops, x);
        foreach (var block in DownBlocks.Items) x = block.Forward(ops, x);
        x = MidBlock.Forward(ops, x, default);
        x = ops.Silu(LtxVideoLayout.ChannelRmsNorm(ops, x, _outputChannels, LtxResnetBlock3d.NormEps));
        x = ConvOut.Forward(ops, x);
        return ops.Slice(x, 1, 0, _config.LatentChannels);
    }
}
