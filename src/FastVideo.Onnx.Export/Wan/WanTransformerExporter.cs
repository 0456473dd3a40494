using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>Converts a Wan2.1 transformer folder into <c>model.onnx</c> (see <see cref="WanTransformerGraph"/> for its signature).</summary>
[ComponentExporter("WanTransformer3DModel")]
public sealed class WanTransformerExporter : DefinitionExporter<WanTransformer3DModel>
{
    public const string GraphFile = "model.onnx";

    protected override WanTransformer3DModel CreateDefinition(JsonConfig config, ComponentSource source) =>
        new(WanTransformerConfig.FromJson(config));

    protected override IReadOnlyList<GraphSpec> Graphs(WanTransformer3DModel model, DType precision) =>
        new[] { new GraphSpec(GraphFile, () => WanTransformerGraph.Build(model, precision)) };
}
