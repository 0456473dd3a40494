using FastVideo.Onnx.Core.Contracts.Umt5;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;

namespace FastVideo.Onnx.Export.Umt5;

/// <summary>Converts a UMT5 text encoder folder into <c>model.onnx</c> (signature: <see cref="Umt5EncoderGraph"/>).</summary>
[ComponentExporter(Umt5EncoderContract.ComponentClass)]
internal sealed class Umt5EncoderExporter : DefinitionExporter<Umt5EncoderModel>
{
    public const string GraphFile = Umt5EncoderContract.GraphFile;

    public const string Float16Note =
        "fp16 requested: exported bf16 instead, because T5/UMT5 activations overflow float16 (the feed-forward outputs " +
        "exceed 65504 and turn into inf/NaN); bf16 has float32's range";

    protected override IReadOnlyCollection<string> ConfigFieldsRead => Umt5Config.Fields;

    protected override Umt5EncoderModel CreateDefinition(JsonConfig config, ComponentSource source)
    {
        var c = Umt5Config.FromJson(config);
        // Headers only: which of the two tied names carries the embedding table. Without a checkpoint (generated
        // weights, or a folder of configs being filled with random weights) the definition takes the published names.
        using var archive = source.SyntheticWeights is null ? CheckpointHeaders.TryOpen(source.Folder) : null;
        if (archive is null) return new Umt5EncoderModel(c);
        bool tiedOnly = archive.Find(Umt5EncoderModel.SharedKey) is null && archive.Find(Umt5EncoderModel.TiedKey) is not null;
        return new Umt5EncoderModel(c, embeddingFromTiedKey: tiedOnly);
    }

    protected override IReadOnlyList<GraphSpec> Graphs(Umt5EncoderModel model, DType precision) =>
        new[] { new GraphSpec(GraphFile, () => Umt5EncoderGraph.Build(model, precision)) };

    protected override DType ResolvePrecision(DType requested, List<string> notes)
    {
        switch (requested)
        {
            case DType.Float32 or DType.BFloat16:
                return requested;
            case DType.Float16:
                notes.Add(Float16Note);
                return DType.BFloat16;
            default:
                throw new FastVideoException($"UMT5EncoderModel: precision {requested.ShortName()} is not supported (fp32 or bf16)");
        }
    }
}
