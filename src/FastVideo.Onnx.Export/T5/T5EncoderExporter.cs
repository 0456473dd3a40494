using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Export.Umt5;

namespace FastVideo.Onnx.Export.T5;

/// <summary>Converts a T5 (v1.1) text encoder folder into <c>model.onnx</c>, with the same signature as UMT5's (<see cref="Umt5EncoderGraph"/>).</summary>
[ComponentExporter("T5EncoderModel")]
internal sealed class T5EncoderExporter : T5FamilyEncoderExporter<T5EncoderModel>
{
    protected override string ClassName => "T5EncoderModel";

    /// <summary>UMT5's fields plus T5Config's <c>scale_decoder_outputs</c> (a decoder setting the encoder never reads).</summary>
    protected override IReadOnlyCollection<string> ConfigFieldsRead { get; } = Umt5Config.Fields.Append("scale_decoder_outputs").ToArray();

    protected override T5EncoderModel Create(Umt5Config config, bool embeddingFromTiedKey) => new(config, embeddingFromTiedKey);
}
