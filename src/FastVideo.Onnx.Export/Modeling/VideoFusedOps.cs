using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Modeling;

/// <summary>
/// The definitions of the video compound operators of <see cref="ITensorOps{T}"/> in base operators: what a fused kernel
/// must compute. Backends without a fused kernel call these.
/// </summary>
public static class VideoFusedOps
{
    /// <summary>
    /// Diffusers' WanRMS_norm then (optionally) SiLU: <c>cast_like_x(F.normalize(f32(x), dim=1, eps))·(gamma·scale)</c>,
    /// the gain folded on the small gamma tensor in x's type, and SiLU in x's type.
    /// </summary>
    public static T ChannelRmsNorm<T>(ITensorOps<T> ops, T x, Parameter gamma, double scale, double eps, bool silu)
    {
        var type = ops.TypeOf(x);
        var normalized = ops.Cast(ops.NormalizeL2(ops.Cast(x, DType.Float32), 1, eps), type);
        // scale·gamma is folded on the [C, 1, ...] weight so the full-size tensor is multiplied once.
        var gain = ops.Mul(ops.Cast(ops.Weight(gamma), type), ops.Scalar(scale, type));
        var y = ops.Mul(normalized, gain);
        return silu ? ops.Silu(y) : y;
    }
}
