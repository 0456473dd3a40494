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

    readonly int _heads, _headDim;
    public Linear ToQ { get; }
    public Linear ToK { get; }
    public Linear ToV { get; }
    public Linear ToOut { get; }
    public RmsNorm NormQ { get; }
    public RmsNorm NormK { get; }

    public LtxAttention(int queryDim, int contextDim, int heads, int headDim, bool bias, bool outBias)
    {
        (_heads, _headDim) = (heads, headDim);
        int inner = heads * headDim;
        NormQ = Add("norm_q", new RmsNorm(inner, QkNormEps));
        NormK = Add("norm_k", new RmsNorm(inner, QkNormEps));
        ToQ = Add("to_q", new Linear(queryDim, inner, bias));
        ToK = Add("to_k", new Linear(contextDim, inner, bias));
        ToV = Add("to_v", new Linear(contextDim, inner, bias));
        ToOut = Add("to_out", new Container()).Child("0", new Linear(inner, queryDim, outBias));
    }

    /// <param name="context">Keys/values source; null for self-attention.</param>
    /// <param name="rotary">cos/sin tables [S·heads, headDim/2] for self-attention, else null: the rotation over the whole
    /// inner dimension, cut per head (<see cref="PerHeadTables"/>).</param>
    /// <param name="keyBias">Additive bias [B, 1, S, L] on the scores (the text padding mask), or null.</param>
    public T Forward<T>(ITensorOps<T> ops, T x, T? context, (T Cos, T Sin)? rotary, T? keyBias)
    {
        using var _ = Enter(ops);
        var kv = context ?? x;
        var q = Rotate(ops, ops.RmsNorm(ToQ.Forward(ops, x), NormQ.Size, NormQ.Weight!, NormQ.Eps), rotary);
        var k = Rotate(ops, ops.RmsNorm(ToK.Forward(ops, kv), NormK.Size, NormK.Weight!, NormK.Eps), rotary);
        var v = ToV.Forward(ops, kv);
        var output = ops.Attention(q, k, v, _heads, bias: keyBias);
        return ToOut.Forward(ops, output);
    }

    /// <summary>
    /// Diffusers rotates the whole projection before splitting heads: interleaved pairs over all inner channels, each pair
    /// with its own angle. As one rotary "head" of inner channels that exceeds what ONNX Runtime's CUDA RotaryEmbedding
    /// takes (head size at most the block size, 1024), so each token's heads become rows of their own: x [B, S, N·H] is
    /// viewed as [B, S·N, H] and rotated with the tables cut the same way, [S, N·H/2] -> [S·N, H/2]. Only reshapes: exact.
    /// </summary>
    public static (T Cos, T Sin) PerHeadTables<T>(ITensorOps<T> ops, (T Cos, T Sin) tables, int headDim) =>
        (ops.Reshape(tables.Cos, -1, headDim / 2), ops.Reshape(tables.Sin, -1, headDim / 2));

    T Rotate<T>(ITensorOps<T> ops, T y, (T Cos, T Sin)? perHead)
    {
        if (perHead is not var (cos, sin)) return y;
        var rows = ops.Rotary(ops.Reshape(y, 0, -1, _headDim), cos, sin, numHeads: 1, interleaved: true);
        return ops.Reshape(rows, 0, -1, _heads * _headDim);
    }
}
