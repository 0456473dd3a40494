using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' WanResidualUpBlock (the Wan2.2 decoder): num_res_blocks + 1 residual blocks, an optional upsampler that
/// keeps the width (unlike Wan2.1's, which halves it), and, when it upsamples, a weightless duplicating shortcut
/// (<see cref="WanVaeDupUp3d"/>) of the block's input.
/// </summary>
public sealed class WanVaeResidualUpBlock : WanVaeLayer
{
    readonly WanVaeDupUp3d? _shortcut;
    public ModuleList<WanVaeResidualBlock> Resnets { get; }
    public WanVaeResample? Upsampler { get; }

    public WanVaeResidualUpBlock(int inDim, int outDim, int numResBlocks, bool temporal, bool up)
    {
        _shortcut = up ? new WanVaeDupUp3d(inDim, outDim, temporal ? 2 : 1, 2) : null;
        Resnets = Add("resnets", new ModuleList<WanVaeResidualBlock>(
            Enumerable.Range(0, numResBlocks + 1).Select(i => new WanVaeResidualBlock(i == 0 ? inDim : outDim, outDim))));
        Upsampler = up
            ? Add("upsampler", new WanVaeResample(outDim, temporal ? WanVaeResampleMode.Upsample3d : WanVaeResampleMode.Upsample2d, upsampleOutDim: outDim))
            : null;
    }

    public override T Forward<T>(ITensorOps<T> ops, T x, WanVaeChunkCache<T> cache)
    {
        using var _ = Enter(ops);
        var input = x;
        foreach (var resnet in Resnets.Items) x = resnet.Forward(ops, x, cache);
        if (Upsampler is null) return x;
        x = Upsampler.Forward(ops, x, cache);
        return ops.Add(x, _shortcut!.Forward(ops, input, cache.IsFirstChunk));
    }
}
