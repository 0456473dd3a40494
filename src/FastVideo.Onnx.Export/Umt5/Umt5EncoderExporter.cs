using FastVideo.Onnx.Core.Contracts.Umt5;
using FastVideo.Onnx.Export.Conversion;

namespace FastVideo.Onnx.Export.Umt5;

/// <summary>Converts a UMT5 text encoder folder into <c>model.onnx</c> (signature: <see cref="Umt5EncoderGraph"/>).</summary>
[ComponentExporter(Umt5EncoderContract.ComponentClass)]
internal sealed class Umt5EncoderExporter : T5FamilyEncoderExporter<Umt5EncoderModel>
{
    protected override string ClassName => Umt5EncoderContract.ComponentClass;

    protected override Umt5EncoderModel Create(Umt5Config config, bool embeddingFromTiedKey) => new(config, embeddingFromTiedKey);
}
