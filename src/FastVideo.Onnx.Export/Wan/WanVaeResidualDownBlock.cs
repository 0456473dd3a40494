using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' WanResidualDownBlock (the Wan2.2 encoder): residual blocks, an optional downsampler, and around them a
/// weightless averaging shortcut (<see cref="WanVaeAvgDown3d"/>) of the block's input that compresses it the same way.
/// </summary>
public sealed class WanVaeResidualDownBlock : WanVaeLayer
{
    readonly WanVaeAvgDown3d _shortcut;
    public ModuleList<WanVaeResidualBlock> Resnets { get; }
    public WanVaeResample? Downsampler { get; }

    public WanVaeResidualDownBlock(int inDim, int outDim, int numResBlocks, bool temporal, bool down)
    {
        _shortcut = new WanVaeAvgDown3d(inDim, outDim, temporal ? 2 : 1, down ? 2 : 1);
        Resnets = Add("resnets", new ModuleList<WanVaeResidualBlock>(
            Enumerable.Range(0, numResBlocks).Select(i => new WanVaeResidualBlock(i == 0 ? inDim : outDim, outDim))));
        Downsampler = down
            ? Add("downsampler", new WanVaeResample(outDim, temporal ? WanVaeResampleMode.Downsample3d : WanVaeResampleMode.Downsample2d))
            : null;
    }

    public override T Forward<T>(ITensorOps<T> ops, T x, WanVaeChunkCache<T> cache)
    {
        using var _ = Enter(ops);
        var input = x;
        foreach (var resnet in Resnets.Items) x = resnet.Forward(ops, x, cache);
        if (Downsampler is not null) x = Downsampler.Forward(ops, x, cache);
        return ops.Add(x, _shortcut.Forward(ops, input, cache.IsFirstChunk));
    }
}
