using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>Diffusers' WanUpBlock (Wan2.1): num_res_blocks + 1 residual blocks, then an optional resampler.</summary>
public sealed class WanVaeUpBlock : WanVaeLayer
{
    public ModuleList<WanVaeResidualBlock> Resnets { get; }
    public ModuleList<WanVaeResample> Upsamplers { get; }

    public WanVaeUpBlock(int inDim, int outDim, int numResBlocks, WanVaeResampleMode? upsampleMode)
    {
        Resnets = Add("resnets", new ModuleList<WanVaeResidualBlock>(
            Enumerable.Range(0, numResBlocks + 1).Select(i => new WanVaeResidualBlock(i == 0 ? inDim : outDim, outDim))));
        Upsamplers = Add("upsamplers", new ModuleList<WanVaeResample>(
            upsampleMode is { } mode ? new[] { new WanVaeResample(outDim, mode) } : Array.Empty<WanVaeResample>()));
    }

    public override T Forward<T>(ITensorOps<T> ops, T x, WanVaeChunkCache<T> cache)
    {
        using var _ = Enter(ops);
        foreach (var resnet in Resnets.Items) x = resnet.Forward(ops, x, cache);
        foreach (var upsampler in Upsamplers.Items) x = upsampler.Forward(ops, x, cache);
        return x;
    }
}
