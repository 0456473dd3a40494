using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' WanTransformer3DModel (Wan2.1 text-to-video and image-to-video): patch embedding, condition
/// embeddings, <c>num_layers</c> blocks, modulated output norm, projection and unpatchify. Parameter names are
/// Diffusers' own, so a published checkpoint loads strictly.
/// </summary>
public sealed class WanTransformer3DModel : ModelDefinition
{
    public override string ClassName => "WanTransformer3DModel";

    protected override IReadOnlyCollection<string> KeepFloat32Modules { get; } =
        new[] { "rope", "time_embedder", "scale_shift_table", "norm1", "norm2", "norm3" };

    // Diffusers' _keys_to_ignore_on_load_unexpected
    protected override bool IsIgnorableKey(string key) => key.Split('.').Contains("norm_added_q");

    public WanTransformerConfig Config { get; }
    public WanRotaryPosEmbed Rope { get; }
    public Conv PatchEmbedding { get; }
    public WanTimeTextImageEmbedding ConditionEmbedder { get; }
    public ModuleList<WanTransformerBlock> Blocks { get; }
    public LayerNorm NormOut { get; }
    public Linear ProjOut { get; }
    public Parameter ScaleShiftTable { get; }

    public WanTransformer3DModel(WanTransformerConfig config)
    {
        Config = config;
        int inner = config.InnerDim;
        Rope = Add("rope", new WanRotaryPosEmbed(config.AttentionHeadDim, config.RopeMaxSeqLen));
        PatchEmbedding = Add("patch_embedding", new Conv(config.InChannels, inner, config.PatchSize, stride: config.PatchSize));
        ConditionEmbedder = Add("condition_embedder",
            new WanTimeTextImageEmbedding(inner, config.FreqDim, inner * 6, config.TextDim, config.ImageDim));
        Blocks = Add("blocks", new ModuleList<WanTransformerBlock>(Enumerable.Range(0, config.NumLayers).Select(_ => new WanTransformerBlock(config))));
        NormOut = Add("norm_out", new LayerNorm(inner, config.Eps, elementwiseAffine: false, float32: true));
        ProjOut = Add("proj_out", new Linear(inner, config.OutChannels * config.PatchSize.Aggregate(1, (a, b) => a * b)));
        ScaleShiftTable = Param("scale_shift_table", 1, 2, inner);
        Finish();
    }

    /// <param name="hiddenStates">[B, C, F, H, W] latents (float32)</param>
    /// <param name="timestep">[B] float32</param>
    /// <param name="encoderHiddenStates">[B, L, text_dim] float32</param>
    /// <param name="encoderHiddenStatesImage">[B, N, image_dim] float32 (image-to-video) or default</param>
    /// <returns>[B, out_channels, F, H, W] float32</returns>
    public T Forward<T>(ITensorOps<T> ops, T hiddenStates, T timestep, T encoderHiddenStates, T? encoderHiddenStatesImage = default)
    {
        var type = ops.ComputeType;
        int[] p = Config.PatchSize;
        var x = ops.Cast(hiddenStates, type);
        var text = ops.Cast(encoderHiddenStates, type);
        var image = encoderHiddenStatesImage is null ? default : ops.Cast(encoderHiddenStatesImage, type);

        // patchify: [B, C, F, H, W] -> [B, D, F', H', W'] -> [B, S, D]
        x = PatchEmbedding.Forward(ops, x);
        var batch = ops.Dim(x, 0);
        var (frames, height, width) = (ops.Dim(x, 2), ops.Dim(x, 3), ops.Dim(x, 4));
        var rotary = Rope.Forward(ops, frames, height, width);
        x = ops.Transpose(ops.Reshape(x, 0, 0, -1), 0, 2, 1);

        var (temb, timestepProj, textContext, imageContext) = ConditionEmbedder.Forward(ops, timestep, text, image);
        timestepProj = ops.Reshape(timestepProj, 0, 6, -1);
        var context = imageContext is null ? textContext : ops.Concat(1, imageContext, textContext);

        foreach (var block in Blocks.Items) x = block.Forward(ops, x, context, timestepProj, rotary);

        using (ops.Scope("norm_out"))
        {
            var ss = ops.Split(ops.Add(ops.Weight(ScaleShiftTable), ops.Unsqueeze(temb, 1)), 1, 1, 1);
            var (shift, scale) = (ss[0], ss[1]);
            x = NormOut.Forward(ops, x, scale, shift);
        }
        x = ProjOut.Forward(ops, x);

        using (ops.Scope("unpatchify"))
        {
            // [B, S, pt·ph·pw·C] -> [B, F', H', W', pt, ph, pw, C] -> [B, C, F'·pt, H'·ph, W'·pw]
            var patch = ops.Int64s(p[0], p[1], p[2], -1);
            x = ops.Reshape(x, ops.Concat(0, batch, frames, height, width, patch));
            x = ops.Transpose(x, 0, 7, 1, 4, 2, 5, 3, 6);
            var outShape = ops.Concat(0, batch, ops.Int64s(Config.OutChannels),
                ops.Mul(frames, ops.Int64s(p[0])), ops.Mul(height, ops.Int64s(p[1])), ops.Mul(width, ops.Int64s(p[2])));
            x = ops.Reshape(x, outShape);
        }
        return ops.Cast(x, DType.Float32);
    }
}
