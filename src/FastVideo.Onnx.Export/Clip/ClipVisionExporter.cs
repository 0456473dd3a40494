using FastVideo.Onnx.Core.Contracts.Clip;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;

namespace FastVideo.Onnx.Export.Clip;

/// <summary>Converts a CLIPVisionModel folder (Wan2.1 image-to-video's image_encoder) into <c>model.onnx</c> (signature: <see cref="ClipVisionGraph"/>).</summary>
[ComponentExporter(ClipVisionContract.ComponentClass)]
public sealed class ClipVisionExporter : DefinitionExporter<ClipVisionModel>
{
    public const string GraphFile = ClipVisionContract.GraphFile;

    protected override IReadOnlyCollection<string> ConfigFieldsRead => ClipVisionConfig.Fields;

    protected override ClipVisionModel CreateDefinition(JsonConfig config, ComponentSource source)
    {
        var c = ClipVisionConfig.FromJson(config);
        // Headers only: transformers 4.x saved CLIPVisionModel keys as vision_model.* (the layout of checkpoints published
        // before transformers 5, which saves them without the prefix). Without a checkpoint the definition takes the
        // published layout.
        using var archive = source.SyntheticWeights is null ? CheckpointHeaders.TryOpen(source.Folder) : null;
        if (archive is null) return new ClipVisionModel(c);
        bool prefixed = archive.Tensors.Keys.Any(k => k.StartsWith(ClipVisionModel.VisionModelPrefix, StringComparison.Ordinal));
        return new ClipVisionModel(c, prefixed ? ClipVisionModel.VisionModelPrefix : "");
    }

    protected override IReadOnlyList<GraphSpec> Graphs(ClipVisionModel model, DType precision) =>
        new[] { new GraphSpec(GraphFile, () => ClipVisionGraph.Build(model, precision)) };
}
