using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// Diffusers' LTXAttention with LTXVideoAttnProcessor: q/k/v projections, RMSNorm of q and k across all heads
/// (torch.nn.RMSNorm, eps 1e-5 whatever the config says), the rotary embedding over the whole inner dimension for
/// self-attention, attention with an optional additive key bias, output projection.
/// </summary>
internal sealed class LtxAttention : Module
{
    /// <summary>LTXAttention fixes its q/k norm epsilon.</summary>
    public const double QkNormEps = 1e-5;

    readonly int _heads;
    public Linear ToQ { get; }
    public Linear ToK { get; }
    public Linear ToV { get; }
    public Linear ToOut { get; }
    public RmsNorm NormQ { get; }
    public RmsNorm NormK { get; }

    public LtxAttention(int queryDim, int contextDim, int heads, int headDim, bool bias, bool outBias)
    {
        _heads = heads;
        int inner = heads * headDim;
        NormQ = Add("norm_q", new RmsNorm(inner, QkNormEps));
        NormK = Add("norm_k", new RmsNorm(inner, QkNormEps));
        ToQ = Add("to_q", new Linear(queryDim, inner, bias));
        ToK = Add("to_k", new Linear(contextDim, inner, bias));
        ToV = Add("to_v", new Linear(contextDim, inner, bias));
        ToOut = Add("to_out", new Container()).Child("0", new Linear(inner, queryDim, outBias));
    }

    /// <param name="context">Keys/values source; null for self-attention.</param>
    /// <param name="rotary">cos/sin tables [S, inner/2] for self-attention (one rotation over all heads), else null.</param>
    /// <param name="keyBias">Additive bias [B, 1, S, L] on the scores (the text padding mask), or null.</param>
    public T Forward<T>(ITensorOps<T> ops, T x, T? context, (T Cos, T Sin)? rotary, T? keyBias)
    {
        using var _ = Enter(ops);
        var kv = context ?? x;
        // the rotation spans the whole projection (Diffusers rotates before splitting heads): one "head" of inner channels
        var q = ops.RmsNormRotary(ToQ.Forward(ops, x), NormQ.Size, NormQ.Weight!, NormQ.Eps, rotary, heads: 1);
        var k = ops.RmsNormRotary(ToK.Forward(ops, kv), NormK.Size, NormK.Weight!, NormK.Eps, rotary, heads: 1);
        var v = ToV.Forward(ops, kv);
        var output = ops.Attention(q, k, v, _heads, bias: keyBias);
        return ToOut.Forward(ops, output);
    }
}
