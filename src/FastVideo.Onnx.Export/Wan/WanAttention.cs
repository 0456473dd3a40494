using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' WanAttention (with WanAttnProcessor): q/k/v projections, RMSNorm of q and k across all heads, optional
/// rotary embedding, attention, output projection. With <c>added_kv_proj_dim</c> (image-to-video cross-attention) the
/// image tokens get their own key/value projections and a second attention whose output is added.
/// </summary>
internal sealed class WanAttention : Module
{
    /// <summary>
    /// Diffusers' WanAttnProcessor assumes the text context is 512 tokens long and takes everything before the last
    /// 512 context tokens as image tokens (Python slicing, so shorter contexts give an empty image part).
    /// The graph reproduces that split exactly; with the standard max_sequence_length of 512 it is the natural one.
    /// </summary>
    public const int TextContextLength = 512;

    readonly int _heads;
    public Linear ToQ { get; }
    public Linear ToK { get; }
    public Linear ToV { get; }
    public Linear ToOut { get; }
    public RmsNorm NormQ { get; }
    public RmsNorm NormK { get; }
    public Linear? AddKProj { get; }
    public Linear? AddVProj { get; }
    public RmsNorm? NormAddedK { get; }

    public WanAttention(int dim, int heads, int headDim, double eps, int? addedKvProjDim = null)
    {
        _heads = heads;
        int inner = heads * headDim;
        ToQ = Add("to_q", new Linear(dim, inner));
        ToK = Add("to_k", new Linear(dim, inner));
        ToV = Add("to_v", new Linear(dim, inner));
        ToOut = Add("to_out", new Container()).Child("0", new Linear(inner, dim));
        NormQ = Add("norm_q", new RmsNorm(inner, eps));
        NormK = Add("norm_k", new RmsNorm(inner, eps));
        if (addedKvProjDim is int added)
        {
            AddKProj = Add("add_k_proj", new Linear(added, inner));
            AddVProj = Add("add_v_proj", new Linear(added, inner));
            NormAddedK = Add("norm_added_k", new RmsNorm(inner, eps));
        }
    }

    /// <summary>The attention's output projected by to_out (the caller adds it to the residual stream).</summary>
    /// <param name="context">Keys/values source; null for self-attention.</param>
    /// <param name="rotary">cos/sin tables for self-attention, else null.</param>
    /// <param name="attend">Replaces the dense attention of q, k, v (each [B, S, heads·head_dim]); null for dense.</param>
    public T Forward<T>(ITensorOps<T> ops, T x, T? context, (T Cos, T Sin)? rotary, Func<T, T, T, T>? attend = null)
    {
        using var _ = Enter(ops);
        T? imageContext = default;
        if (AddKProj is not null && context is not null)
        {
            // image tokens first, then text (see TextContextLength)
            var split = ops.Sub(ops.Dim(context, 1), ops.Int64s(TextContextLength));
            imageContext = ops.Slice(context, 1, ops.Int64s(0), split);
            context = ops.Slice(context, 1, split, ops.Int64s(long.MaxValue));
        }
        var kv = context ?? x;
        var q = Project(ops, ToQ, NormQ, x, rotary);
        var k = Project(ops, ToK, NormK, kv, rotary);
        var v = ToV.Forward(ops, kv);
        var output = attend is null ? ops.Attention(q, k, v, _heads) : attend(q, k, v);
        if (imageContext is not null)
        {
            var kImg = Project(ops, AddKProj!, NormAddedK!, imageContext, null);
            var vImg = AddVProj!.Forward(ops, imageContext);
            output = ops.Add(output, ops.Attention(q, kImg, vImg, _heads));
        }
        return ops.Linear(output, ToOut.Weight, ToOut.Bias);
    }

    /// <summary>A projection followed by its RMSNorm across heads (and the rotary embedding for self-attention).</summary>
    T Project<T>(ITensorOps<T> ops, Linear projection, RmsNorm norm, T x, (T Cos, T Sin)? rotary) =>
        ops.RmsNormRotary(ops.Linear(x, projection.Weight, projection.Bias), norm.Size, norm.Weight!, norm.Eps, rotary, _heads);
}
