using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Moves video tensors between [B, C, T, H, W] and a batch of images [B·T, C, H, W], as the Wan VAE does around its
/// 2-D layers (spatial resampling, attention). Height and width stay dynamic.
/// </summary>
internal static class WanVaeFrames
{
    /// <summary>[B, C, T, H, W] -> [B·T, C, H, W]; keep <paramref name="video"/> to go back.</summary>
    public static T ToImages<T>(ITensorOps<T> ops, T video)
    {
        var x = ops.Transpose(video, 0, 2, 1, 3, 4);
        return ops.Reshape(x, ops.Concat(0, ops.Int64s(-1), ops.Slice(ops.Shape(x), 0, 2, 5)));
    }

    /// <summary>[B·T, C', H', W'] -> [B, C', T, H', W'], with B and T taken from <paramref name="video"/> (the tensor before <see cref="ToImages"/>).</summary>
    public static T ToVideo<T>(ITensorOps<T> ops, T images, T video)
    {
        var shape = ops.Concat(0, ops.Dim(video, 0), ops.Dim(video, 2), ops.Slice(ops.Shape(images), 0, 1, 4));
        return ops.Transpose(ops.Reshape(images, shape), 0, 2, 1, 3, 4);
    }
}
