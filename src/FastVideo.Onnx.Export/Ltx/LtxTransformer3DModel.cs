using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// Diffusers' LTXVideoTransformer3DModel: packed latent tokens [B, T·H·W, C] through <c>proj_in</c>; AdaLayerNormSingle
/// timestep conditioning (<c>time_embed</c>); the caption through a PixArt-alpha projection; <c>num_layers</c> blocks with
/// 3D RoPE; a modulated LayerNorm and <c>proj_out</c>. The pipeline, not the model, packs and unpacks the latents, so the
/// latent grid (T, H, W) and the RoPE interpolation scale are inputs. Parameter names are Diffusers' own.
/// </summary>
internal sealed class LtxTransformer3DModel : ModelDefinition
{
    public override string ClassName => "LTXVideoTransformer3DModel";

    /// <summary>The timestep sinusoid width of AdaLayerNormSingle (PixArt-alpha's 256).</summary>
    public const int TimestepChannels = 256;

    /// <summary>The bias Diffusers adds to the scores of caption padding tokens.</summary>
    public const double MaskedKeyBias = -10000.0;

    public LtxTransformerConfig Config { get; }
    public Linear ProjIn { get; }
    public Parameter ScaleShiftTable { get; }
    public TimestepEmbedding TimestepEmbedder { get; }
    public Linear TimeLinear { get; }
    public PixArtAlphaTextProjection CaptionProjection { get; }
    public LtxRotaryPosEmbed Rope { get; }
    public ModuleList<LtxTransformerBlock> Blocks { get; }
    public LayerNorm NormOut { get; }
    public Linear ProjOut { get; }

    public LtxTransformer3DModel(LtxTransformerConfig config)
    {
        Config = config;
        int inner = config.InnerDim;
        ProjIn = Add("proj_in", new Linear(config.InChannels, inner));
        ScaleShiftTable = Param("scale_shift_table", 2, inner);
        var timeEmbed = Add("time_embed", new Container());
        TimestepEmbedder = timeEmbed.Child("emb", new Container()).Child("timestep_embedder", new TimestepEmbedding(TimestepChannels, inner));
        TimeLinear = timeEmbed.Child("linear", new Linear(inner, 6 * inner));
        CaptionProjection = Add("caption_projection", new PixArtAlphaTextProjection(config.CaptionChannels, inner));
        Rope = Add("rope", new LtxRotaryPosEmbed(inner, config.PatchSize, config.PatchSizeT));
        Blocks = Add("transformer_blocks", new ModuleList<LtxTransformerBlock>(Enumerable.Range(0, config.NumLayers).Select(_ => new LtxTransformerBlock(config))));
        NormOut = Add("norm_out", new LayerNorm(inner, 1e-6, elementwiseAffine: false, float32: true));
        ProjOut = Add("proj_out", new Linear(inner, config.OutChannels));
        Finish();
    }

    /// <param name="hiddenStates">packed latents [B, S, in_channels], float32</param>
    /// <param name="encoderHiddenStates">T5 embeddings [B, L, caption_channels], float32</param>
    /// <param name="timestep">[B] float32</param>
    /// <param name="encoderAttentionMask">int64 [B, L]: 1 for tokens, 0 for padding</param>
    /// <param name="frames">int64 [1]: latent frames</param>
    /// <param name="height">int64 [1]: latent rows</param>
    /// <param name="width">int64 [1]: latent columns</param>
    /// <param name="ropeInterpolationScale">float32 [3]</param>
    /// <returns>[B, S, out_channels] float32</returns>
    public T Forward<T>(ITensorOps<T> ops, T hiddenStates, T encoderHiddenStates, T timestep, T encoderAttentionMask,
        T frames, T height, T width, T ropeInterpolationScale)
    {
        var type = ops.ComputeType;
        var f32 = DType.Float32;
        var rotary = LtxAttention.PerHeadTables(ops, Rope.Forward(ops, frames, height, width, ropeInterpolationScale), Config.AttentionHeadDim);
        var x = ProjIn.Forward(ops, ops.Cast(hiddenStates, type));

        T temb, embedded;
        using (ops.Scope("time_embed"))
        {
            // AdaLayerNormSingle: Timesteps(256, flip_sin_to_cos, shift 0) -> TimestepEmbedding; linear(silu(.)) gives the 6 block modulations
            var sinusoid = ops.Cast(SinusoidalTimesteps.Forward(ops, timestep, TimestepChannels, flipSinToCos: true), type);
            embedded = TimestepEmbedder.Forward(ops, sinusoid);
            temb = TimeLinear.Forward(ops, ops.Silu(embedded));
            temb = ops.Unsqueeze(ops.Cast(temb, f32), 1);
            embedded = ops.Unsqueeze(ops.Cast(embedded, f32), 1);
        }

        var context = CaptionProjection.Forward(ops, ops.Cast(encoderHiddenStates, type));

        T textBias;
        using (ops.Scope("text_mask"))
        {
            // (1 - mask)·-10000 on every query row: [B, 1, S, L] (attention biases do not broadcast over queries)
            var bias = ops.Mul(ops.Sub(ops.Scalar(1, type), ops.Cast(encoderAttentionMask, type)), ops.Scalar(MaskedKeyBias, type));
            bias = ops.Unsqueeze(bias, 1, 2);
            var shape = ops.Concat(0, ops.Dim(x, 0), ops.Int64s(1), ops.Dim(x, 1), ops.Dim(encoderAttentionMask, 1));
            textBias = ops.Expand(bias, shape);
        }

        foreach (var block in Blocks.Items) x = block.Forward(ops, x, context, temb, rotary, textBias);

        using (ops.Scope("norm_out"))
        {
            // scale_shift_table[None, None] + embedded_timestep[:, :, None]: shift then scale
            var ss = ops.Split(ops.Add(ops.Cast(ops.Weight(ScaleShiftTable), f32), ops.Unsqueeze(embedded, 2)), 2, 1, 1);
            var (shift, scale) = (ops.Squeeze(ss[0], 2), ops.Squeeze(ss[1], 2));
            x = NormOut.Forward(ops, x, scale, shift);
        }
        x = ProjOut.Forward(ops, x);
        return ops.Cast(x, f32);
    }
}
