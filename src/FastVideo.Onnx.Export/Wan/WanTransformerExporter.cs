using FastVideo.Onnx.Core.Contracts.Wan;
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
public sealed class WanTransformerExporter : DefinitionExporter<WanTransformer3DModel>
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
        return new WanTransformer3DModel(c, gates);
    }

    protected override IEnumerable<string> Describe(WanTransformer3DModel model) =>
        model.UsesVsa ? new[] { VsaNote } : Array.Empty<string>();

    protected override IReadOnlyList<GraphSpec> Graphs(WanTransformer3DModel model, DType precision) =>
        new[]
        {
            new GraphSpec(GraphFile, () => WanTransformerGraph.Build(model, precision)),
            new GraphSpec(FusedGraphFile, () => WanTransformerGraph.Build(model, precision, fusedKernels: true)),
        };
}
