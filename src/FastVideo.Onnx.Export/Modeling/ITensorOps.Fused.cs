namespace FastVideo.Onnx.Export.Modeling;

/// <summary>
/// Compound operators of DiT blocks. Each is defined by its composition of base operators (which the TorchSharp backend
/// and the portable ONNX lowering execute step by step); a backend may run it as one fused kernel instead, computing the
/// same function in float32 registers without the intermediate tensors. Element types follow Diffusers: the norm,
/// modulation and gated residual run in float32 and round to the input's type once.
/// </summary>
public partial interface ITensorOps<T>
{
    /// <summary>
    /// <c>cast_like_x( (LayerNorm_f32(x)·weight + bias)·(1 + scale) + shift )</c> over the last axis. weight/bias are the
    /// affine parameters (or null); scale/shift are float32 modulation tensors broadcast from [B, 1, D] (or null).
    /// </summary>
    T ModulatedLayerNorm(T x, long size, Parameter? weight, Parameter? bias, double eps, T? scale, T? shift);

    /// <summary><c>cast_like_x( f32(x) + f32(y + bias)·gate )</c>: a residual update; bias is the projection's bias (or null), gate a float32 [B, 1, D] tensor (or null for 1).</summary>
    T GatedResidual(T x, T y, Parameter? bias, T? gate);

    /// <summary>
    /// A residual update followed by the next norm: <c>h = GatedResidual(x, y, bias, gate)</c>, then
    /// <c>ModulatedLayerNorm(h, ...)</c>; returns both (the residual stream goes on, the normed value feeds the next layer).
    /// </summary>
    (T Residual, T Normed) ResidualLayerNorm(T x, T y, Parameter? bias, T? gate, long size, Parameter? weight, Parameter? normBias, double eps,
        T? scale, T? shift);

    /// <summary>
    /// RMSNorm of <c>y + bias</c> over the last axis with <paramref name="weight"/>, then (when <paramref name="rotary"/> is
    /// given) interleaved rotary embedding per head of [B, S, heads·H].
    /// </summary>
    T RmsNormRotary(T y, Parameter? bias, long size, Parameter weight, double eps, (T Cos, T Sin)? rotary, int heads);

    /// <summary>GELU of <c>x + bias</c> (the activation of a feed-forward layer whose projection had no bias applied).</summary>
    T BiasGelu(T x, Parameter bias, bool tanhApproximation);

    /// <summary><c>GELU(x @ weight^T + bias)</c>: a feed-forward layer's first projection and activation.</summary>
    T LinearGelu(T x, Parameter weight, Parameter bias, bool tanhApproximation);
}
