using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// Diffusers' LTXVideoTransformerBlock: RMS-normed, adaLN-modulated self-attention with RoPE and a gated residual;
/// cross-attention to the caption on the un-normed stream with a plain residual; RMS-normed, modulated feed-forward
/// with a gated residual. The six modulation vectors are the block's <c>scale_shift_table</c> plus the timestep
/// embedding's projection.
/// </summary>
internal sealed class LtxTransformerBlock : Module
{
    readonly int _dim;
    public RmsNorm Norm1 { get; }
    public LtxAttention Attn1 { get; }
    public RmsNorm Norm2 { get; }
    public LtxAttention Attn2 { get; }
    public FeedForward Ff { get; }
    public Parameter ScaleShiftTable { get; }

    public LtxTransformerBlock(LtxTransformerConfig config)
    {
        _dim = config.InnerDim;
        Norm1 = Add("norm1", new RmsNorm(_dim, config.NormEps, config.NormElementwiseAffine));
        Attn1 = Add("attn1", new LtxAttention(_dim, _dim, config.NumAttentionHeads, config.AttentionHeadDim, config.AttentionBias, config.AttentionOutBias));
        Norm2 = Add("norm2", new RmsNorm(_dim, config.NormEps, config.NormElementwiseAffine));
        Attn2 = Add("attn2", new LtxAttention(_dim, config.CrossAttentionDim, config.NumAttentionHeads, config.AttentionHeadDim,
            config.AttentionBias, config.AttentionOutBias));
        Ff = Add("ff", new FeedForward(_dim, 4 * _dim));
        ScaleShiftTable = Param("scale_shift_table", 6, _dim);
    }

    /// <param name="x">[B, S, D]</param>
    /// <param name="context">caption tokens after the caption projection, [B, L, D]</param>
    /// <param name="temb">the timestep projection, float32 [B, 1, 6·D]</param>
    /// <param name="rotary">RoPE half tables cut per head, [S·heads, headDim/2] (<see cref="LtxAttention.PerHeadTables"/>)</param>
    /// <param name="textBias">additive key bias of the caption padding, [B, 1, S, L]</param>
    public T Forward<T>(ITensorOps<T> ops, T x, T context, T temb, (T Cos, T Sin) rotary, T textBias)
    {
        using var _ = Enter(ops);
        var type = ops.TypeOf(x);
        // ada_values = table[None, None] + temb.reshape(B, 1, 6, D), unbound along the 6
        var ada = ops.Add(ops.Cast(ops.Weight(ScaleShiftTable), DType.Float32), ops.Reshape(temb, 0, 0, 6, _dim));
        var parts = ops.Split(ada, 2, 1, 1, 1, 1, 1, 1);
        T Part(int i) => ops.Squeeze(parts[i], 2);
        var (shiftMsa, scaleMsa, gateMsa, shiftMlp, scaleMlp, gateMlp) = (Part(0), Part(1), Part(2), Part(3), Part(4), Part(5));

        var normed = Modulate(ops, Norm1.Forward(ops, x), scaleMsa, shiftMsa, type);
        x = ops.GatedResidual(x, Attn1.Forward(ops, normed, default, rotary, default), gateMsa);
        x = ops.Add(x, Attn2.Forward(ops, x, context, null, textBias));
        normed = Modulate(ops, Norm2.Forward(ops, x), scaleMlp, shiftMlp, type);
        return Ff.ForwardResidual(ops, normed, x, gateMlp);
    }

    /// <summary><c>norm·(1 + scale) + shift</c> in float32 (the modulation vectors are float32), rounded to the stream's type once.</summary>
    static T Modulate<T>(ITensorOps<T> ops, T normed, T scale, T shift, DType type)
    {
        var y = ops.Add(ops.Mul(ops.Cast(normed, DType.Float32), ops.Add(ops.Scalar(1, DType.Float32), scale)), shift);
        return ops.Cast(y, type);
    }
}
