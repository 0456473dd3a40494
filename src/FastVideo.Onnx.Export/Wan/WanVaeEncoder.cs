using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' WanEncoder3d: causal conv in, the down blocks (spatial downsampling at every level but the last, temporal
/// where <c>temperal_downsample</c> says), mid block, RMS norm, SiLU, causal conv out to 2·z_dim channels (posterior
/// mean and log-variance). Wan2.1's down blocks are a flat list of residual blocks and downsamplers; Wan2.2's
/// (<c>is_residual</c>) are one residual down block per level, with an averaging shortcut.
/// </summary>
public sealed class WanVaeEncoder : Module
{
    public WanVaeCausalConv3d ConvIn { get; }
    public ModuleList<WanVaeLayer> DownBlocks { get; }
    public WanVaeMidBlock MidBlock { get; }
    public WanVaeRmsNorm NormOut { get; }
    public WanVaeCausalConv3d ConvOut { get; }

    public WanVaeEncoder(WanVaeConfig config)
    {
        int[] dims = new[] { 1 }.Concat(config.DimMult).Select(m => config.BaseDim * m).ToArray();
        ConvIn = Add("conv_in", new WanVaeCausalConv3d(config.InChannels, dims[0], 3, padding: 1));
        var layers = new List<WanVaeLayer>();
        for (int i = 0; i < config.DimMult.Length; i++)
        {
            int inDim = dims[i], outDim = dims[i + 1];
            bool down = i != config.DimMult.Length - 1;
            if (config.IsResidual)
            {
                layers.Add(new WanVaeResidualDownBlock(inDim, outDim, config.NumResBlocks, down && config.TemperalDownsample[i], down));
                continue;
            }
            for (int r = 0; r < config.NumResBlocks; r++)
            {
                layers.Add(new WanVaeResidualBlock(inDim, outDim));
                inDim = outDim;
            }
            if (i != config.DimMult.Length - 1)
                layers.Add(new WanVaeResample(outDim, config.TemperalDownsample[i] ? WanVaeResampleMode.Downsample3d : WanVaeResampleMode.Downsample2d));
        }
        DownBlocks = Add("down_blocks", new ModuleList<WanVaeLayer>(layers));
        MidBlock = Add("mid_block", new WanVaeMidBlock(dims[^1]));
        NormOut = Add("norm_out", new WanVaeRmsNorm(dims[^1], images: false));
        ConvOut = Add("conv_out", new WanVaeCausalConv3d(dims[^1], config.ZDim * 2, 3, padding: 1));
    }

    /// <param name="x">[B, in_channels, T, H, W] in the compute type: 1 frame on the first chunk, 4 after</param>
    /// <returns>[B, 2·z_dim, 1, H/8, W/8] (H, W of the patchified input for Wan2.2)</returns>
    public T Forward<T>(ITensorOps<T> ops, T x, WanVaeChunkCache<T> cache)
    {
        using var _ = Enter(ops);
        x = ConvIn.Forward(ops, x, cache);
        foreach (var layer in DownBlocks.Items) x = layer.Forward(ops, x, cache);
        x = MidBlock.Forward(ops, x, cache);
        return ConvOut.Forward(ops, NormOut.Forward(ops, x, silu: true), cache);
    }
}
