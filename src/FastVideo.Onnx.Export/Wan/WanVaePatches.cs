using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' patchify / unpatchify of the Wan2.2 VAE: p x p pixels of each frame become channels before the encoder
/// and go back after the decoder. Channel c·p² + j·p + i holds pixel offset (row i, column j): the column offset is the
/// slower one, as Diffusers lays it out.
/// </summary>
public static class WanVaePatches
{
    /// <summary>[B, C, F, H, W] -> [B, C·p², F, H/p, W/p].</summary>
    public static T Patchify<T>(ITensorOps<T> ops, T x, int channels, int p)
    {
        if (p == 1) return x;
        using var _ = ops.Scope("patchify");
        // [B, C, F, H/p, p, W/p, p]
        var y = ops.Reshape(x, ops.Concat(0, ops.Slice(ops.Shape(x), 0, 0, 3), ops.Int64s(-1, p), ops.Dim(x, 4)));
        y = ops.Reshape(y, ops.Concat(0, ops.Slice(ops.Shape(y), 0, 0, 5), ops.Int64s(-1, p)));
        // -> [B, C, p (w), p (h), F, H/p, W/p]
        y = ops.Transpose(y, 0, 1, 6, 4, 2, 3, 5);
        return ops.Reshape(y, ops.Concat(0, ops.Dim(y, 0), ops.Int64s(channels * p * p), ops.Slice(ops.Shape(y), 0, 4, 7)));
    }

    /// <summary>[B, C·p², F, H, W] -> [B, C, F, H·p, W·p].</summary>
    public static T Unpatchify<T>(ITensorOps<T> ops, T x, int channels, int p)
    {
        if (p == 1) return x;
        using var _ = ops.Scope("unpatchify");
        // [B, C, p (w), p (h), F, H, W] -> [B, C, F, H, p (h), W, p (w)]
        var y = ops.Reshape(x, ops.Concat(0, ops.Dim(x, 0), ops.Int64s(channels, p, p), ops.Slice(ops.Shape(x), 0, 2, 5)));
        y = ops.Transpose(y, 0, 1, 4, 5, 3, 6, 2);
        y = ops.Reshape(y, 0, 0, 0, 0, 0, -1);
        return ops.Reshape(y, ops.Concat(0, ops.Slice(ops.Shape(y), 0, 0, 3), ops.Int64s(-1), ops.Dim(y, 5)));
    }
}
