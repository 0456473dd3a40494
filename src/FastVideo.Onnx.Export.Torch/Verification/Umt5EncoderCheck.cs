using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Umt5;

namespace FastVideo.Onnx.Export.Torch.Verification;

/// <summary>A T5-family text encoder (UMT5 or T5) on 16 random token ids, the last 4 masked out as padding.</summary>
[ComponentCheck("UMT5EncoderModel", "T5EncoderModel")]
internal sealed class Umt5EncoderCheck : IComponentCheck
{
    public const int Tokens = 16;
    public const int Padding = 4;

    public IReadOnlyList<GraphCase> Cases(ModelDefinition model, SeededInputs inputs)
    {
        var encoder = (T5FamilyEncoder)model;
        var mask = Enumerable.Range(0, Tokens).Select(i => i < Tokens - Padding ? 1L : 0L).ToArray();
        var list = new[]
        {
            inputs.Integers(Umt5EncoderGraph.InputIds, encoder.Config.VocabSize, 1, Tokens),
            new GraphInput(Umt5EncoderGraph.AttentionMask, new long[] { 1, Tokens }, Int64s: mask),
        };
        return new[]
        {
            new GraphCase(Umt5EncoderExporter.GraphFile, list, Umt5EncoderGraph.LastHiddenState,
                (ops, x) => encoder.Forward(ops, x[Umt5EncoderGraph.InputIds], x[Umt5EncoderGraph.AttentionMask])),
        };
    }
}
