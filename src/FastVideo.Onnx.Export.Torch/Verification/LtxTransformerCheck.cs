using FastVideo.Onnx.Export.Ltx;
using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Torch.Verification;

/// <summary>
/// The LTX transformer on a packed latent grid of 2x3x4 tokens, 16 caption tokens (the last 4 masked as padding), at
/// timestep 500 with the RoPE scale of a 32x/8x VAE at 25 fps.
/// </summary>
[ComponentCheck("LTXVideoTransformer3DModel")]
internal sealed class LtxTransformerCheck : IComponentCheck
{
    public const int TextTokens = 16;
    public const int Padding = 4;

    public IReadOnlyList<GraphCase> Cases(ModelDefinition model, SeededInputs inputs)
    {
        var transformer = (LtxTransformer3DModel)model;
        var c = transformer.Config;
        long[] grid = { 2, 3, 4 };
        var mask = Enumerable.Range(0, TextTokens).Select(i => i < TextTokens - Padding ? 1L : 0L).ToArray();
        var list = new List<GraphInput>
        {
            inputs.Normal(LtxTransformerGraph.HiddenStates, 1, grid[0] * grid[1] * grid[2], c.InChannels),
            inputs.Normal(LtxTransformerGraph.EncoderHiddenStates, 1, TextTokens, c.CaptionChannels),
            new(LtxTransformerGraph.Timestep, new long[] { 1 }, Floats: new[] { 500f }),
            new(LtxTransformerGraph.EncoderAttentionMask, new long[] { 1, TextTokens }, Int64s: mask),
            new(LtxTransformerGraph.NumFrames, new long[] { 1 }, Int64s: new[] { grid[0] }),
            new(LtxTransformerGraph.Height, new long[] { 1 }, Int64s: new[] { grid[1] }),
            new(LtxTransformerGraph.Width, new long[] { 1 }, Int64s: new[] { grid[2] }),
            new(LtxTransformerGraph.RopeInterpolationScale, new long[] { 3 }, Floats: new[] { 8f / 25f, 32f, 32f }),
        };
        return new[]
        {
            new GraphCase(LtxTransformerExporter.GraphFile, list, LtxTransformerGraph.Sample, (ops, x) => transformer.Forward(ops,
                x[LtxTransformerGraph.HiddenStates], x[LtxTransformerGraph.EncoderHiddenStates], x[LtxTransformerGraph.Timestep],
                x[LtxTransformerGraph.EncoderAttentionMask], x[LtxTransformerGraph.NumFrames], x[LtxTransformerGraph.Height],
                x[LtxTransformerGraph.Width], x[LtxTransformerGraph.RopeInterpolationScale])),
        };
    }
}
