using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// The tensor rearrangements of the LTX VAE, written once over dynamic frame and pixel counts: channel-axis norms (Diffusers
/// moves channels last and back), space-to-depth and depth-to-space with their exact channel orders.
/// </summary>
internal static class LtxVideoLayout
{
    /// <summary>Diffusers' RMSNorm without affine over the channel axis of [B, C, T, H, W] (statistics in float32).</summary>
    public static T ChannelRmsNorm<T>(ITensorOps<T> ops, T x, long channels, double eps)
    {
        var last = ops.Transpose(x, 0, 2, 3, 4, 1);
        return ops.Transpose(ops.RmsNorm(last, channels, null, eps), 0, 4, 1, 2, 3);
    }

    /// <summary>torch.nn.LayerNorm (affine) over the channel axis of [B, C, T, H, W].</summary>
    public static T ChannelLayerNorm<T>(ITensorOps<T> ops, T x, long channels, Parameter weight, Parameter bias, double eps)
    {
        var last = ops.Transpose(x, 0, 2, 3, 4, 1);
        return ops.Transpose(ops.LayerNorm(last, channels, weight, bias, eps), 0, 4, 1, 2, 3);
    }

    /// <summary>
    /// [B, C, T·st, H·sh, W·sw] -> [B, C·st·sh·sw, T, H, W], channel index ((c·st + a)·sh + b)·sw + d for the offsets
    /// (a, b, d) in (t, h, w): the unflatten/permute(0, 1, 3, 5, 7, 2, 4, 6)/flatten of LTXVideoDownsampler3d.
    /// </summary>
    public static T SpaceToDepth<T>(ITensorOps<T> ops, T x, long channels, int st, int sh, int sw)
    {
        var (t, h, w) = (Quotient(ops, ops.Dim(x, 2), st), Quotient(ops, ops.Dim(x, 3), sh), Quotient(ops, ops.Dim(x, 4), sw));
        var batch = ops.Dim(x, 0);
        x = ops.Reshape(x, ops.Concat(0, batch, ops.Int64s(channels), t, ops.Int64s(st), h, ops.Int64s(sh), w, ops.Int64s(sw)));
        x = ops.Transpose(x, 0, 1, 3, 5, 7, 2, 4, 6);
        return ops.Reshape(x, ops.Concat(0, batch, ops.Int64s(channels * st * sh * sw), t, h, w));
    }

    /// <summary>
    /// [B, C·st·sh·sw, T, H, W] -> [B, C, T·st, H·sh, W·sw], the inverse channel order (LTXVideoUpsampler3d's
    /// reshape/permute(0, 1, 5, 2, 6, 3, 7, 4)/flatten).
    /// </summary>
    public static T DepthToSpace<T>(ITensorOps<T> ops, T x, long channels, int st, int sh, int sw)
    {
        var batch = ops.Dim(x, 0);
        var (t, h, w) = (ops.Dim(x, 2), ops.Dim(x, 3), ops.Dim(x, 4));
        x = ops.Reshape(x, ops.Concat(0, batch, ops.Int64s(channels, st, sh, sw), t, h, w));
        x = ops.Transpose(x, 0, 1, 5, 2, 6, 3, 7, 4);
        return ops.Reshape(x, ops.Concat(0, batch, ops.Int64s(channels),
            ops.Mul(t, ops.Int64s(st)), ops.Mul(h, ops.Int64s(sh)), ops.Mul(w, ops.Int64s(sw))));
    }

    /// <summary>
    /// The encoder's patchify, [B, C, T, H·p, W·p] -> [B, C·p·p, T, H, W] with channel index (c·p + pw)·p + ph
    /// (Diffusers permutes the width offset before the height offset).
    /// </summary>
    public static T Patchify<T>(ITensorOps<T> ops, T x, long channels, int p)
    {
        var batch = ops.Dim(x, 0);
        var (t, h, w) = (ops.Dim(x, 2), Quotient(ops, ops.Dim(x, 3), p), Quotient(ops, ops.Dim(x, 4), p));
        x = ops.Reshape(x, ops.Concat(0, batch, ops.Int64s(channels), t, ops.Int64s(1), h, ops.Int64s(p), w, ops.Int64s(p)));
        x = ops.Transpose(x, 0, 1, 3, 7, 5, 2, 4, 6);
        return ops.Reshape(x, ops.Concat(0, batch, ops.Int64s(channels * p * p), t, h, w));
    }

    /// <summary>The decoder's unpatchify, the inverse of <see cref="Patchify"/>: [B, C·p·p, T, H, W] -> [B, C, T, H·p, W·p].</summary>
    public static T Unpatchify<T>(ITensorOps<T> ops, T x, long channels, int p)
    {
        var batch = ops.Dim(x, 0);
        var (t, h, w) = (ops.Dim(x, 2), ops.Dim(x, 3), ops.Dim(x, 4));
        // [B, C, pt, p_w, p_h, T, H, W] -> [B, C, T, pt, H, p_h, W, p_w]
        x = ops.Reshape(x, ops.Concat(0, batch, ops.Int64s(channels, 1, p, p), t, h, w));
        x = ops.Transpose(x, 0, 1, 5, 2, 6, 4, 7, 3);
        return ops.Reshape(x, ops.Concat(0, batch, ops.Int64s(channels), t, ops.Mul(h, ops.Int64s(p)), ops.Mul(w, ops.Int64s(p))));
    }

    /// <summary>PixArt-alpha's timestep embedding of a [B] float32 timestep: Timesteps(256, flip_sin_to_cos, shift 0), cast to the compute type.</summary>
    public static T TimestepSinusoid<T>(ITensorOps<T> ops, T timestep) =>
        ops.Cast(Modeling.Layers.SinusoidalTimesteps.Forward(ops, timestep, LtxTransformer3DModel.TimestepChannels, flipSinToCos: true), ops.ComputeType);

    static T Quotient<T>(ITensorOps<T> ops, T dim, int divisor) => divisor == 1 ? dim : ops.Div(dim, ops.Int64s(divisor));
}
