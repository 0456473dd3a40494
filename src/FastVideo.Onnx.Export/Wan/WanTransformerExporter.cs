using FastVideo.Onnx.Core.Contracts;
using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Converts a Wan2.1 transformer folder into <c>model.onnx</c> (portable: standard ONNX and ONNX Runtime contrib
/// operators) and <c>model.fused.onnx</c> (the same network with its norms, modulation, residuals, RoPE and GELU as
/// fused CUDA kernels from native/fastvideo_kernels). Both share one external data file. See
/// <see cref="WanTransformerGraph"/> for their signature. A checkpoint with VSA gates (FastWan) exports its
/// self-attention as Video Sparse Attention.
/// </summary>
[ComponentExporter(WanTransformerContract.ComponentClass)]
internal sealed class WanTransformerExporter : DefinitionExporter<WanTransformer3DModel>
{
    public const string GraphFile = WanTransformerContract.PortableGraph;
    public const string FusedGraphFile = WanTransformerContract.FusedGraph;

    protected override IReadOnlyCollection<string> ConfigFieldsRead => WanTransformerConfig.Fields;

    /// <summary>The pipeline whose published transformers all carry VSA gates (FastWan).</summary>
    const string DmdPipeline = "WanDMDPipeline";

    /// <summary>The note a VSA transformer's manifest carries.</summary>
    public const string VsaNote =
        "video sparse attention (VSA): self-attention of every block in 4x4x4 tiles of the DiT grid, top-k key tiles from input 'vsa_sparsity'";

    protected override WanTransformer3DModel CreateDefinition(JsonConfig config, ComponentSource source)
    {
        var c = WanTransformerConfig.FromJson(config);
        using var archive = source.SyntheticWeights is null ? CheckpointHeaders.TryOpen(source.Folder) : null;
        WanVsaGatePlacement gates;
        if (archive is not null)
            gates = WanTransformer3DModel.DetectVsaGates(archive.Tensors.Keys, c.NumLayers, archive.Files.FirstOrDefault()?.Path ?? source.Folder);
        else
            // A folder of configs only (benchmarks with generated weights): FastWan's published transformers are all gated.
            gates = source.Index.PipelineClass == DmdPipeline ? WanVsaGatePlacement.Block : WanVsaGatePlacement.None;
        // Wan2.2 TI2V: the pipeline's expand_timesteps gives the transformer one timestep per token.
        bool perToken = WanTransformerContract.TimestepLayoutOf(source.Index.Json) == TimestepLayout.PerToken;
        return new WanTransformer3DModel(c, gates, perToken);
    }

    /// <summary>The note a per-token transformer's manifest carries.</summary>
    public const string PerTokenNote =
        "per-token timesteps (expand_timesteps): input 'timestep' is float32 [batch, tokens]; the fused-kernel graph modulates each token with its own vector";

    /// <summary>The second expert of a two-expert folder (Wan2.2 A14B).</summary>
    public const string SecondExpert = "transformer_2";

    /// <summary>
    /// The fields both experts must share: the pipeline feeds them the same latents (and conditioning channels), text
    /// embeddings and timesteps, and reads the same prediction. Depth, width and head layout may differ.
    /// </summary>
    static readonly string[] SharedExpertFields = { "in_channels", "out_channels", "patch_size", "text_dim", "image_dim" };

    protected override void CheckConsistency(WanTransformer3DModel model, ComponentSource source)
    {
        int ranks = source.SequenceParallel, heads = model.Config.NumAttentionHeads;
        if (ranks > 1 && heads % ranks != 0)
            throw new InvalidRequestException(ConversionRequest.SequenceParallelField,
                $"{ranks} ranks cannot share the {heads} attention heads of {source.ConfigPath()} (field 'num_attention_heads'): each rank attends with heads/{ranks}");
        if (source.Entry.Name != SecondExpert) return;
        string firstPath = Path.Combine(source.Index.Folder, "transformer", "config.json");
        if (!File.Exists(firstPath)) return; // the first expert's own conversion reports it missing
        var first = WanTransformerConfig.FromJson(JsonConfig.Load(firstPath));
        var second = model.Config;
        string Show(object? v) => v switch { null => "null", int[] a => $"[{string.Join(", ", a)}]", _ => v.ToString()! };
        foreach (var (field, a, b) in new (string, object?, object?)[]
                 {
                     ("in_channels", first.InChannels, second.InChannels), ("out_channels", first.OutChannels, second.OutChannels),
                     ("patch_size", first.PatchSize, second.PatchSize), ("text_dim", first.TextDim, second.TextDim),
                     ("image_dim", first.ImageDim, second.ImageDim),
                 })
        {
            bool same = a is int[] x && b is int[] y ? x.SequenceEqual(y) : Equals(a, b);
            if (!same)
                throw new ModelFormatException(source.ConfigPath(),
                    $"field '{field}' is {Show(b)} but {firstPath} has {Show(a)}: both experts take the same inputs ({string.Join(", ", SharedExpertFields)} must agree)");
        }
    }

    protected override IEnumerable<string> Describe(WanTransformer3DModel model)
    {
        if (model.UsesVsa) yield return VsaNote;
        if (model.PerTokenTimesteps) yield return PerTokenNote;
    }

    protected override IReadOnlyList<GraphSpec> Graphs(WanTransformer3DModel model, DType precision) =>
        WanTransformerGraph.Contract(model).GraphFiles
            .Select(file => new GraphSpec(file, () => WanTransformerGraph.Build(model, precision, fusedKernels: file == FusedGraphFile)))
            .ToList();

    // The per-rank graph comes last: its initializers are the portable graph's, already in the shared data file.
    protected override IReadOnlyList<GraphSpec> Graphs(WanTransformer3DModel model, DType precision, ComponentSource source)
    {
        var graphs = Graphs(model, precision).ToList();
        if (source.SequenceParallel > 1)
            graphs.Add(new GraphSpec(WanTransformerContract.SequenceParallelGraph(source.SequenceParallel),
                () => WanTransformerGraph.BuildSequenceParallel(model, precision, source.SequenceParallel)));
        return graphs;
    }
}
