using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' WanTransformer3DModel (Wan2.1 text-to-video and image-to-video): patch embedding, condition
/// embeddings, <c>num_layers</c> blocks, modulated output norm, projection and unpatchify. Parameter names are
/// Diffusers' own, so a published checkpoint loads strictly. A checkpoint whose blocks carry FastVideo's VSA gate
/// (<c>blocks.N.to_gate_compress</c>, see <see cref="DetectVsaGates"/>) is a FastWan transformer: its self-attention
/// runs as Video Sparse Attention when <see cref="Forward{T}"/> is given a sparsity, densely otherwise.
/// </summary>
internal sealed class WanTransformer3DModel : ModelDefinition
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

    /// <summary>Where the blocks' VSA gates are (None for a dense transformer).</summary>
    public WanVsaGatePlacement VsaGates { get; }

    /// <summary>True when the blocks carry VSA gates (FastWan).</summary>
    public bool UsesVsa => VsaGates != WanVsaGatePlacement.None;

    /// <summary>
    /// The timestep is per token, [B, S] (Wan2.2 TI2V, whose pipeline sets <c>expand_timesteps</c>: the conditioning
    /// frame's tokens get timestep 0), so the modulation of every block and of the output norm is per token too.
    /// </summary>
    public bool PerTokenTimesteps { get; }

    public WanTransformer3DModel(WanTransformerConfig config, WanVsaGatePlacement vsaGates = WanVsaGatePlacement.None, bool perTokenTimesteps = false)
    {
        Config = config;
        VsaGates = vsaGates;
        PerTokenTimesteps = perTokenTimesteps;
        int inner = config.InnerDim;
        Rope = Add("rope", new WanRotaryPosEmbed(config.AttentionHeadDim, config.RopeMaxSeqLen));
        PatchEmbedding = Add("patch_embedding", new Conv(config.InChannels, inner, config.PatchSize, stride: config.PatchSize));
        ConditionEmbedder = Add("condition_embedder",
            new WanTimeTextImageEmbedding(inner, config.FreqDim, inner * 6, config.TextDim, config.ImageDim));
        Blocks = Add("blocks", new ModuleList<WanTransformerBlock>(Enumerable.Range(0, config.NumLayers).Select(_ => new WanTransformerBlock(config, vsaGates))));
        NormOut = Add("norm_out", new LayerNorm(inner, config.Eps, elementwiseAffine: false, float32: true));
        ProjOut = Add("proj_out", new Linear(inner, config.OutChannels * config.PatchSize.Aggregate(1, (a, b) => a * b)));
        ScaleShiftTable = Param("scale_shift_table", 1, 2, inner);
        Finish();
    }

    /// <param name="hiddenStates">[B, C, F, H, W] latents (float32)</param>
    /// <param name="timestep">[B] float32, or [B, S] (S = F'·H'·W' tokens) when <see cref="PerTokenTimesteps"/></param>
    /// <param name="encoderHiddenStates">[B, L, text_dim] float32</param>
    /// <param name="encoderHiddenStatesImage">[B, N, image_dim] float32 (image-to-video) or default</param>
    /// <param name="vsaSparsity">float32 [1]: Video Sparse Attention at this sparsity (a VSA model only); default runs dense attention.</param>
    /// <param name="shard">This rank of a sequence-parallel forward: <paramref name="hiddenStates"/> (and a per-token
    /// <paramref name="timestep"/>) hold the rank's consecutive latent frames, the <see cref="SequenceShard{T}.Rank"/>-th
    /// of <see cref="SequenceShard{T}.WorldSize"/> equal parts; the output is the prediction for those frames. Null: one rank.</param>
    /// <returns>[B, out_channels, F, H, W] float32</returns>
    public T Forward<T>(ITensorOps<T> ops, T hiddenStates, T timestep, T encoderHiddenStates, T? encoderHiddenStatesImage = default,
        T? vsaSparsity = default, SequenceShard<T>? shard = null)
    {
        if (vsaSparsity is not null && !UsesVsa) throw new InvalidOperationException("sparse attention needs the blocks' VSA gates (to_gate_compress)");
        var type = ops.ComputeType;
        int[] p = Config.PatchSize;
        var x = ops.Cast(hiddenStates, type);
        var text = ops.Cast(encoderHiddenStates, type);
        var image = encoderHiddenStatesImage is null ? default : ops.Cast(encoderHiddenStatesImage, type);

        // patchify: [B, C, F, H, W] -> [B, D, F', H', W'] -> [B, S, D]
        x = PatchEmbedding.Forward(ops, x);
        var batch = ops.Dim(x, 0);
        var (frames, height, width) = (ops.Dim(x, 2), ops.Dim(x, 3), ops.Dim(x, 4));
        // a rank's frames follow the previous ranks' ones: rotary positions are global
        var rotary = shard is null ? Rope.Forward(ops, frames, height, width) : Rope.Forward(ops, frames, height, width, ops.Mul(shard.Rank, frames));
        x = ops.Transpose(ops.Reshape(x, 0, 0, -1), 0, 2, 1);

        bool perToken = PerTokenTimesteps;
        var (temb, timestepProj, textContext, imageContext) = ConditionEmbedder.Forward(ops, timestep, text, image, perToken);
        timestepProj = perToken ? ops.Reshape(timestepProj, 0, 0, 6, -1) : ops.Reshape(timestepProj, 0, 6, -1);
        var context = imageContext is null ? textContext : ops.Concat(1, imageContext, textContext);

        // VSA tiles the whole grid: under sequence parallelism its frames are every rank's
        var gridFrames = shard is null ? frames : ops.Mul(frames, ops.Int64s(shard.WorldSize));
        WanVsaInputs<T>? vsa = vsaSparsity is null ? null : new WanVsaInputs<T>(gridFrames, height, width, vsaSparsity);
        foreach (var block in Blocks.Items) x = block.Forward(ops, x, context, timestepProj, rotary, vsa, perToken, shard);

        using (ops.Scope("norm_out"))
        {
            // [1, 2, dim] + [B, 1, dim] -> shift, scale [B, 1, dim]; per token [1, 2, dim] + [B, S, 1, dim] -> [B, S, dim] each
            var ss = perToken
                ? ops.Split(ops.Add(ops.Weight(ScaleShiftTable), ops.Unsqueeze(temb, 2)), 2, 1, 1).Select(v => ops.Squeeze(v, 2)).ToArray()
                : ops.Split(ops.Add(ops.Weight(ScaleShiftTable), ops.Unsqueeze(temb, 1)), 1, 1, 1);
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

    /// <summary>
    /// Where the checkpoint's blocks keep their VSA gates, from its tensor names: every block must have
    /// <c>blocks.N.to_gate_compress.{weight,bias}</c> (or <c>blocks.N.attn1.to_gate_compress.*</c>), or none may.
    /// A gate on some blocks only is an error naming the first block without one.
    /// </summary>
    /// <param name="file">Named in errors (the checkpoint).</param>
    public static WanVsaGatePlacement DetectVsaGates(IEnumerable<string> tensorNames, int numLayers, string file)
    {
        var names = new HashSet<string>(tensorNames, StringComparer.Ordinal);
        bool Has(string prefix) => names.Contains(prefix + ".weight") || names.Contains(prefix + ".bias");
        var placements = new WanVsaGatePlacement[numLayers];
        for (int i = 0; i < numLayers; i++)
        {
            bool onBlock = Has($"blocks.{i}.to_gate_compress"), onAttention = Has($"blocks.{i}.attn1.to_gate_compress");
            if (onBlock && onAttention)
                throw new ModelFormatException(file, $"block {i} has both 'blocks.{i}.to_gate_compress' and 'blocks.{i}.attn1.to_gate_compress' (one VSA gate per block)");
            placements[i] = onBlock ? WanVsaGatePlacement.Block : onAttention ? WanVsaGatePlacement.SelfAttention : WanVsaGatePlacement.None;
        }
        var first = placements.Length == 0 ? WanVsaGatePlacement.None : placements[0];
        for (int i = 0; i < numLayers; i++)
        {
            if (placements[i] == first) continue;
            int gated = first == WanVsaGatePlacement.None ? i : 0, ungated = first == WanVsaGatePlacement.None ? 0 : i;
            if (placements[i] != WanVsaGatePlacement.None && first != WanVsaGatePlacement.None)
                throw new ModelFormatException(file, $"block {i} names its VSA gate differently from block 0 ('{GateName(placements[i], i)}' vs '{GateName(first, 0)}')");
            throw new ModelFormatException(file,
                $"block {ungated} has no VSA gate ('{GateName(placements[gated], ungated)}.weight') but block {gated} has one: a VSA checkpoint gates every block");
        }
        return first;
    }

    static string GateName(WanVsaGatePlacement placement, int block) =>
        placement == WanVsaGatePlacement.SelfAttention ? $"blocks.{block}.attn1.to_gate_compress" : $"blocks.{block}.to_gate_compress";
}
