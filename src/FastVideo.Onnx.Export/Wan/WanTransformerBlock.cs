using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' WanTransformerBlock: modulated self-attention with RoPE, cross-attention to the text (and image)
/// context, modulated feed-forward. Norms, modulation and residual sums run in float32 as in Diffusers.
/// </summary>
internal sealed class WanTransformerBlock : Module
{
    readonly int _dim;
    public LayerNorm Norm1 { get; }
    public WanAttention Attn1 { get; }
    public WanAttention Attn2 { get; }
    public LayerNorm? Norm2 { get; }
    public FeedForward Ffn { get; }
    public LayerNorm Norm3 { get; }
    public Parameter ScaleShiftTable { get; }

    /// <summary>FastVideo's VSA gate (a linear of the norm1-modulated input, as to_q), or null for dense self-attention.</summary>
    public Linear? ToGateCompress { get; }

    readonly int _heads, _headDim;

    public WanTransformerBlock(WanTransformerConfig c, WanVsaGatePlacement vsaGate = WanVsaGatePlacement.None)
    {
        (_heads, _headDim) = (c.NumAttentionHeads, c.AttentionHeadDim);
        int dim = _dim = c.InnerDim;
        Norm1 = Add("norm1", new LayerNorm(dim, c.Eps, elementwiseAffine: false, float32: true));
        Attn1 = Add("attn1", new WanAttention(dim, c.NumAttentionHeads, c.AttentionHeadDim, c.Eps));
        Attn2 = Add("attn2", new WanAttention(dim, c.NumAttentionHeads, c.AttentionHeadDim, c.Eps, c.AddedKvProjDim));
        Norm2 = c.CrossAttnNorm ? Add("norm2", new LayerNorm(dim, c.Eps, elementwiseAffine: true, float32: true)) : null;
        Ffn = Add("ffn", new FeedForward(dim, c.FfnDim, tanhApproximation: true));
        Norm3 = Add("norm3", new LayerNorm(dim, c.Eps, elementwiseAffine: false, float32: true));
        ScaleShiftTable = Param("scale_shift_table", 1, 6, dim);
        if (vsaGate != WanVsaGatePlacement.None)
            ToGateCompress = Add(vsaGate == WanVsaGatePlacement.Block ? "to_gate_compress" : "attn1.to_gate_compress", new Linear(dim, dim));
    }

    /// <param name="timestepProj">[B, 6, dim], or [B, S, 6, dim] with per-token timesteps</param>
    /// <param name="vsa">The grid and sparsity for Video Sparse Attention; null runs self-attention densely (the gate unused).</param>
    /// <param name="perToken">The modulation is per token (Wan2.2 TI2V): each of the six vectors is [B, S, dim] instead of [B, 1, dim].</param>
    /// <param name="shard">This rank of a sequence-parallel forward (hidden holds its tokens): self-attention runs on the
    /// rank's heads over the whole sequence (<see cref="UlyssesAttention"/>); everything else is per token. Null: one rank.</param>
    public T Forward<T>(ITensorOps<T> ops, T hidden, T context, T timestepProj, (T Cos, T Sin) rotary, WanVsaInputs<T>? vsa = null,
        bool perToken = false, SequenceShard<T>? shard = null)
    {
        using var _ = Enter(ops);
        // Per-token modulation is six [B, S, dim] float32 tensors per block. Computed from the projection alone, it depends
        // on nothing of the block, and a graph's topological order may then compute every block's six before the first
        // block runs (30 blocks at 27,280 tokens: 60 GiB alive at once). Adding a zero computed from this block's input to
        // the table ties the modulation to the block: Less(e, e) is false for every value, NaN included, so the zero is
        // exact, and being data it survives sessions specialised to the request's shapes, where a tie made of the input's
        // shape is folded into a constant.
        var table = ops.Weight(ScaleShiftTable);
        if (perToken)
        {
            // float32: ONNX Runtime has no Less for bfloat16
            var first = ops.Cast(ops.Slice(ops.Reshape(hidden, -1), 0, 0, 1), DType.Float32);
            table = ops.Add(table, ops.Cast(ops.Less(first, first), DType.Float32));
        }
        // [1, 6, dim] + [B, 6, dim], or + [B, S, 6, dim] (the table broadcasts over tokens)
        var modulation = ops.Add(table, ops.Cast(timestepProj, DType.Float32));
        // shift, scale, gate (attention); shift, scale, gate (feed-forward)
        var m = perToken
            ? ops.Split(modulation, 2, 1, 1, 1, 1, 1, 1).Select(v => ops.Squeeze(v, 2)).ToArray()
            : ops.Split(modulation, 1, 1, 1, 1, 1, 1, 1);

        // 1. self-attention: hidden + gate·attn(norm1(hidden)·(1 + scale) + shift), in float32; then norm2 of the result
        var normed = Norm1.Forward(ops, hidden, m[1], m[0]);
        Func<T, T, T, T>? attend = null;
        if (ToGateCompress is not null && vsa is { } s)
        {
            var gate = ToGateCompress.Forward(ops, normed);
            // VSA's tiles, tile means and top-k selection are per head over the whole grid (s.Frames counts every rank's frames)
            attend = shard is null
                ? (q, k, v) => ops.VideoSparseAttention(q, k, v, gate, _heads, _headDim, s.Frames, s.Height, s.Width, s.Sparsity)
                : (q, k, v) => UlyssesAttention.Forward(ops, shard, _heads, _headDim,
                    (x, heads) => ops.VideoSparseAttention(x[0], x[1], x[2], x[3], heads, _headDim, s.Frames, s.Height, s.Width, s.Sparsity), q, k, v, gate);
        }
        else if (shard is not null)
            attend = (q, k, v) => UlyssesAttention.Forward(ops, shard, _heads, _headDim, (x, heads) => ops.Attention(x[0], x[1], x[2], heads), q, k, v);
        var update = Attn1.Forward(ops, normed, default, rotary, attend);
        if (Norm2 is null)
        {
            hidden = ops.GatedResidual(hidden, update, m[2]);
            normed = hidden;
        }
        else (hidden, normed) = Norm2.ForwardAfterResidual(ops, hidden, update, m[2]);

        // 2. cross-attention: hidden + attn(norm2(hidden), context); then norm3 of the result, modulated
        update = Attn2.Forward(ops, normed, context, null);
        (hidden, normed) = Norm3.ForwardAfterResidual(ops, hidden, update, default, m[4], m[3]);

        // 3. feed-forward: hidden + gate·ffn(normed)
        return Ffn.ForwardResidual(ops, normed, hidden, m[5]);
    }
}
