using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' WanRMS_norm (channel first, no bias): <c>normalize(x, dim=1) · sqrt(dim) · gamma</c>, the normalisation in
/// float32 for 16-bit inputs as Diffusers does. gamma is [dim, 1, 1, 1] for videos, [dim, 1, 1] for images. The SiLU that
/// follows it in residual blocks and output heads is part of the same compound operator
/// (<see cref="ITensorOps{T}.ChannelRmsNorm"/>), so a fused backend reads and writes the activation once.
/// </summary>
internal sealed class WanVaeRmsNorm : Module
{
    /// <summary>F.normalize's default eps (Diffusers passes none).</summary>
    public const double Eps = 1e-12;

    readonly double _scale;
    public Parameter Gamma { get; }

    public WanVaeRmsNorm(int dim, bool images)
    {
        _scale = Math.Sqrt(dim);
        Gamma = images ? Param("gamma", dim, 1, 1) : Param("gamma", dim, 1, 1, 1);
    }

    /// <param name="silu">Apply SiLU to the result (Diffusers' <c>nonlinearity(norm(x))</c>).</param>
    public T Forward<T>(ITensorOps<T> ops, T x, bool silu = false)
    {
        using var _ = Enter(ops);
        return ops.ChannelRmsNorm(x, Gamma, _scale, Eps, silu);
    }
}
