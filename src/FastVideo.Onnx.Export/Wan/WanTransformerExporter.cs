using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Converts a Wan2.1 transformer folder into <c>model.onnx</c> (portable: standard ONNX and ONNX Runtime contrib
/// operators) and <c>model.fused.onnx</c> (the same network with its norms, modulation, residuals, RoPE and GELU as
/// fused CUDA kernels from native/fastvideo_kernels). Both share one external data file. See
/// <see cref="WanTransformerGraph"/> for their signature.
/// </summary>
[ComponentExporter("WanTransformer3DModel")]
public sealed class WanTransformerExporter : DefinitionExporter<WanTransformer3DModel>
{
    public const string GraphFile = "model.onnx";
    public const string FusedGraphFile = "model.fused.onnx";

    protected override IReadOnlyCollection<string> ConfigFieldsRead => WanTransformerConfig.Fields;

    protected override WanTransformer3DModel CreateDefinition(JsonConfig config, ComponentSource source) =>
        new(WanTransformerConfig.FromJson(config));

    protected override IReadOnlyList<GraphSpec> Graphs(WanTransformer3DModel model, DType precision) =>
        new[]
        {
            new GraphSpec(GraphFile, () => WanTransformerGraph.Build(model, precision)),
            new GraphSpec(FusedGraphFile, () => WanTransformerGraph.Build(model, precision, fusedKernels: true)),
        };
}
