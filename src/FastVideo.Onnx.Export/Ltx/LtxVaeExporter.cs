using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Contracts.Ltx;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// Converts an LTX-Video VAE folder into <c>decoder.onnx</c> and <c>encoder.onnx</c> (<see cref="LtxVaeGraphs"/>), sharing
/// one external data file.
/// </summary>
[ComponentExporter("AutoencoderKLLTXVideo")]
internal sealed class LtxVaeExporter : DefinitionExporter<AutoencoderKLLtxVideo>
{
    protected override IReadOnlyCollection<string> ConfigFieldsRead => LtxVaeConfig.Fields;

    protected override AutoencoderKLLtxVideo CreateDefinition(JsonConfig config, ComponentSource source) => new(LtxVaeConfig.FromJson(config));

    protected override IReadOnlyList<GraphSpec> Graphs(AutoencoderKLLtxVideo model, DType precision) =>
        new[]
        {
            new GraphSpec(LtxVaeContract.DecoderGraph, () => LtxVaeGraphs.Decoder(model, precision)),
            new GraphSpec(LtxVaeContract.EncoderGraph, () => LtxVaeGraphs.Encoder(model, precision)),
        };
}
