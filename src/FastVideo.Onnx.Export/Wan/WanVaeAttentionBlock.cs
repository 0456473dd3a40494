using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' WanAttentionBlock: single-head self-attention over the pixels of each frame separately (no temporal
/// mixing, hence no cache), with 1x1 convolutions for q/k/v and the output, and a residual connection.
/// </summary>
internal sealed class WanVaeAttentionBlock : Module
{
    readonly int _dim;
    public WanVaeRmsNorm Norm { get; }
    public Conv ToQkv { get; }
    public Conv Proj { get; }

    public WanVaeAttentionBlock(int dim)
    {
        _dim = dim;
        Norm = Add("norm", new WanVaeRmsNorm(dim, images: true));
        ToQkv = Add("to_qkv", new Conv(dim, dim * 3, new[] { 1, 1 }));
        Proj = Add("proj", new Conv(dim, dim, new[] { 1, 1 }));
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        var images = Norm.Forward(ops, WanVaeFrames.ToImages(ops, x)); // [B·T, C, H, W]
        // [B·T, 3C, H, W] -> [B·T, H·W, 3C] -> q, k, v of [B·T, H·W, C]
        var qkv = ops.Transpose(ops.Reshape(ToQkv.Forward(ops, images), 0, 3 * _dim, -1), 0, 2, 1);
        var parts = ops.Split(qkv, 2, _dim, _dim, _dim);
        var attended = ops.Attention(parts[0], parts[1], parts[2], numHeads: 1);
        var y = ops.Reshape(ops.Transpose(attended, 0, 2, 1), ops.Shape(images));
        y = Proj.Forward(ops, y);
        return ops.Add(WanVaeFrames.ToVideo(ops, y, x), x);
    }
}
