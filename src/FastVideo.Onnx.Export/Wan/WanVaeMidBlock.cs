using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>Diffusers' WanMidBlock with one layer: residual block, attention, residual block.</summary>
internal sealed class WanVaeMidBlock : Module
{
    public ModuleList<WanVaeResidualBlock> Resnets { get; }
    public ModuleList<WanVaeAttentionBlock> Attentions { get; }

    public WanVaeMidBlock(int dim)
    {
        Attentions = Add("attentions", new ModuleList<WanVaeAttentionBlock>(new[] { new WanVaeAttentionBlock(dim) }));
        Resnets = Add("resnets", new ModuleList<WanVaeResidualBlock>(new[] { new WanVaeResidualBlock(dim, dim), new WanVaeResidualBlock(dim, dim) }));
    }

    public T Forward<T>(ITensorOps<T> ops, T x, WanVaeChunkCache<T> cache)
    {
        using var _ = Enter(ops);
        x = Resnets[0].Forward(ops, x, cache);
        for (int i = 0; i < Attentions.Count; i++)
        {
            x = Attentions[i].Forward(ops, x);
            x = Resnets[i + 1].Forward(ops, x, cache);
        }
        return x;
    }
}
