namespace FastVideo.Onnx.Export.Modeling;

/// <summary>
/// Compound operators of the video autoencoders, defined by their composition of base operators in
/// <see cref="VideoFusedOps"/> (what the TorchSharp backend and the portable ONNX lowering execute step by step); a backend
/// may run one as a single fused kernel computing the same function in float32 registers.
/// </summary>
public partial interface ITensorOps<T>
{
    /// <summary>
    /// Channel-first RMS norm of <paramref name="x"/> [B, C, *spatial] (Wan's VAE): <c>normalize(x, dim=1)·scale·gamma</c>,
    /// the normalisation (<c>x / max(||x||₂, eps)</c> over the channels) in float32, then SiLU when <paramref name="silu"/>
    /// (the activation that follows the norm in residual blocks and output heads). gamma holds one value per channel
    /// ([C, 1, ...] broadcasting over the spatial axes).
    /// </summary>
    T ChannelRmsNorm(T x, Parameter gamma, double scale, double eps, bool silu);
}
