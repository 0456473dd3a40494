using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;

namespace FastVideo.Onnx.Export.Clip;

/// <summary>Converts a CLIPVisionModel folder (Wan2.1 image-to-video's image_encoder) into <c>model.onnx</c> (signature: <see cref="ClipVisionGraph"/>).</summary>
[ComponentExporter("CLIPVisionModel")]
public sealed class ClipVisionExporter : DefinitionExporter<ClipVisionModel>
{
    public const string GraphFile = "model.onnx";

    protected override ClipVisionModel CreateDefinition(JsonConfig config, ComponentSource source)
    {
        var c = ClipVisionConfig.FromJson(config);
        if (source.SyntheticWeights is not null) return new ClipVisionModel(c);
        // Headers only: checkpoints saved by transformers 4.x name keys vision_model.*, transformers 5 does not.
        using var archive = WeightArchive.Open(source.Folder);
        bool prefixed = archive.Tensors.Keys.Any(k => k.StartsWith(ClipVisionModel.VisionModelPrefix, StringComparison.Ordinal));
        return new ClipVisionModel(c, prefixed ? ClipVisionModel.VisionModelPrefix : "");
    }

    protected override IReadOnlyList<GraphSpec> Graphs(ClipVisionModel model, DType precision) =>
        new[] { new GraphSpec(GraphFile, () => ClipVisionGraph.Build(model, precision)) };
}
