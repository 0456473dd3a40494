using FastVideo.Onnx.Core.Contracts.Umt5;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;

namespace FastVideo.Onnx.Export.Umt5;

/// <summary>
/// The conversion both T5-family text encoders share: config, which tied name carries the embedding table, fp16 refused
/// for bf16, one <c>model.onnx</c> with the signature of <see cref="Umt5EncoderGraph"/>. A subclass names the class and
/// builds its definition.
/// </summary>
internal abstract class T5FamilyEncoderExporter<TModel> : DefinitionExporter<TModel> where TModel : T5FamilyEncoder
{
    public const string GraphFile = Umt5EncoderContract.GraphFile;

    public const string Float16Note =
        "fp16 requested: exported bf16 instead, because T5/UMT5 activations overflow float16 (the feed-forward outputs " +
        "exceed 65504 and turn into inf/NaN); bf16 has float32's range";

    protected override IReadOnlyCollection<string> ConfigFieldsRead => Umt5Config.Fields;

    /// <summary>The definition for <paramref name="config"/>, reading the embedding from the tied key when asked.</summary>
    protected abstract TModel Create(Umt5Config config, bool embeddingFromTiedKey);

    /// <summary>The class name, for the precision error.</summary>
    protected abstract string ClassName { get; }

    protected override TModel CreateDefinition(JsonConfig config, ComponentSource source)
    {
        var c = Umt5Config.FromJson(config);
        // Headers only: which of the two tied names carries the embedding table. Without a checkpoint (generated
        // weights, or a folder of configs being filled with random weights) the definition takes the published names.
        using var archive = source.SyntheticWeights is null ? CheckpointHeaders.TryOpen(source.Folder) : null;
        if (archive is null) return Create(c, embeddingFromTiedKey: false);
        bool tiedOnly = archive.Find(T5FamilyEncoder.SharedKey) is null && archive.Find(T5FamilyEncoder.TiedKey) is not null;
        return Create(c, embeddingFromTiedKey: tiedOnly);
    }

    protected override IReadOnlyList<GraphSpec> Graphs(TModel model, DType precision) =>
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
                throw new FastVideoException($"{ClassName}: precision {requested.ShortName()} is not supported (fp32 or bf16)");
        }
    }
}
