using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Contracts.Ltx;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>Converts an LTX-Video transformer folder into <c>model.onnx</c> (signature: <see cref="LtxTransformerGraph"/>).</summary>
[ComponentExporter("LTXVideoTransformer3DModel")]
internal sealed class LtxTransformerExporter : DefinitionExporter<LtxTransformer3DModel>
{
    public const string GraphFile = LtxTransformerContract.Graph;

    protected override IReadOnlyCollection<string> ConfigFieldsRead => LtxTransformerConfig.Fields;

    protected override LtxTransformer3DModel CreateDefinition(JsonConfig config, ComponentSource source) =>
        new(LtxTransformerConfig.FromJson(config));

    protected override IReadOnlyList<GraphSpec> Graphs(LtxTransformer3DModel model, DType precision) =>
        new[] { new GraphSpec(GraphFile, () => LtxTransformerGraph.Build(model, precision)) };
}
