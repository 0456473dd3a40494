using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Wan;

namespace FastVideo.Onnx.Export.Torch.Verification;

/// <summary>
/// The transformer's portable graph on a small latent video (2 patches of frames, 4x4 patches), 512 text tokens (what
/// Wan pads to) and, for image-to-video, CLIP's 257 image tokens, at timestep 500.
/// </summary>
[ComponentCheck("WanTransformer3DModel")]
public sealed class WanTransformerCheck : IComponentCheck
{
    public const int TextTokens = 512;
    public const int ImageTokens = 257;

    public IReadOnlyList<GraphCase> Cases(ModelDefinition model, SeededInputs inputs)
    {
        var transformer = (WanTransformer3DModel)model;
        var c = transformer.Config;
        var list = new List<GraphInput>
        {
            inputs.Normal(WanTransformerGraph.HiddenStates, 1, c.InChannels, 2 * c.PatchSize[0], 4 * c.PatchSize[1], 4 * c.PatchSize[2]),
            transformer.PerTokenTimesteps ? PerTokenTimestep(frameTokens: 4 * 4, frames: 2) : new(WanTransformerGraph.Timestep, new long[] { 1 }, Floats: new[] { 500f }),
            inputs.Normal(WanTransformerGraph.EncoderHiddenStates, 1, TextTokens, c.TextDim),
        };
        if (c.ImageDim is int imageDim) list.Add(inputs.Normal(WanTransformerGraph.EncoderHiddenStatesImage, 1, c.PosEmbedSeqLen ?? ImageTokens, imageDim));
        return new[]
        {
            new GraphCase(WanTransformerExporter.GraphFile, list, WanTransformerGraph.Sample, (ops, x) => transformer.Forward(ops,
                x[WanTransformerGraph.HiddenStates], x[WanTransformerGraph.Timestep], x[WanTransformerGraph.EncoderHiddenStates],
                c.ImageDim is null ? null : x[WanTransformerGraph.EncoderHiddenStatesImage])),
        };
    }

    static GraphInput PerTokenTimestep(int frameTokens, int frames)
    {
        var values = new float[frameTokens * frames];
        values.AsSpan(frameTokens).Fill(500f);
        return new GraphInput(WanTransformerGraph.Timestep, new long[] { 1, values.Length }, Floats: values);
    }
}
