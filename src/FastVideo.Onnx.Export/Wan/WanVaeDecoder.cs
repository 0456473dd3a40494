using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' WanDecoder3d: causal conv in, mid block, up blocks (spatial 2x upsampling at every level but the last,
/// temporal where the reversed <c>temperal_downsample</c> says), RMS norm, SiLU, causal conv out. Wan2.1's up blocks
/// halve the width in their upsampler, so the next block's input is half the previous block's output; Wan2.2's
/// residual up blocks (<c>is_residual</c>) keep it and add a duplicating shortcut.
/// </summary>
public sealed class WanVaeDecoder : Module
{
    public WanVaeCausalConv3d ConvIn { get; }
    public WanVaeMidBlock MidBlock { get; }
    public ModuleList<WanVaeLayer> UpBlocks { get; }
    public WanVaeRmsNorm NormOut { get; }
    public WanVaeCausalConv3d ConvOut { get; }

    public WanVaeDecoder(WanVaeConfig config)
    {
        int baseDim = config.DecoderBaseDim ?? config.BaseDim;
        int levels = config.DimMult.Length;
        int[] dims = new[] { config.DimMult[^1] }.Concat(config.DimMult.Reverse()).Select(m => baseDim * m).ToArray();
        bool[] temporal = config.TemperalUpsample;
        ConvIn = Add("conv_in", new WanVaeCausalConv3d(config.ZDim, dims[0], 3, padding: 1));
        MidBlock = Add("mid_block", new WanVaeMidBlock(dims[0]));
        var blocks = new List<WanVaeLayer>();
        for (int i = 0; i < levels; i++)
        {
            bool up = i != levels - 1;
            if (config.IsResidual)
            {
                blocks.Add(new WanVaeResidualUpBlock(dims[i], dims[i + 1], config.NumResBlocks, up && temporal[i], up));
                continue;
            }
            int inDim = i > 0 ? dims[i] / 2 : dims[i];
            WanVaeResampleMode? mode = !up ? null
                : temporal[i] ? WanVaeResampleMode.Upsample3d : WanVaeResampleMode.Upsample2d;
            blocks.Add(new WanVaeUpBlock(inDim, dims[i + 1], config.NumResBlocks, mode));
        }
        UpBlocks = Add("up_blocks", new ModuleList<WanVaeLayer>(blocks));
        NormOut = Add("norm_out", new WanVaeRmsNorm(dims[^1], images: false));
        ConvOut = Add("conv_out", new WanVaeCausalConv3d(dims[^1], config.OutChannels, 3, padding: 1));
    }

    /// <param name="x">[B, z_dim, 1, h, w] in the compute type (one latent frame)</param>
    /// <returns>[B, out_channels, 1 (first chunk) or 4, 8h, 8w] (still patchified for Wan2.2)</returns>
    public T Forward<T>(ITensorOps<T> ops, T x, WanVaeChunkCache<T> cache)
    {
        using var _ = Enter(ops);
        x = ConvIn.Forward(ops, x, cache);
        x = MidBlock.Forward(ops, x, cache);
        foreach (var block in UpBlocks.Items) x = block.Forward(ops, x, cache);
        return ConvOut.Forward(ops, NormOut.Forward(ops, x, silu: true), cache);
    }
}
