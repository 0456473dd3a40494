using FastVideo.Onnx.Core.Contracts.Ltx;
using FastVideo.Onnx.Runtime.Execution;
using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Runtime.Components.Ltx;

/// <summary>
/// The LTX-Video transformer graph (<see cref="LtxTransformerContract"/>) on packed tokens: the latents, embeddings and
/// prediction stay in the caller's device tensors; the per-call scalars (timesteps, caption mask, grid, RoPE scale) are
/// small host tensors.
/// </summary>
[ComponentRunner(LtxTransformerLayout.ComponentClass)]
internal sealed class LtxTransformerRunner : IPackedDenoiser, IComponentRunner<LtxTransformerRunner>, IDenoiserFootprintReader
{
    readonly GraphSession _session;
    readonly LtxTransformerLayout _layout;

    public int InChannels => _layout.InChannels;
    public int OutChannels => _layout.OutChannels;
    public (int Spatial, int Temporal) PatchSize => (_layout.PatchSize, _layout.PatchSizeT);

    LtxTransformerRunner(GraphSession session, LtxTransformerLayout layout)
    {
        _session = session;
        _layout = layout;
    }

    public static DenoiserFootprint Footprint(Core.Json.JsonConfig config)
    {
        var layout = LtxTransformerLayout.FromConfig(config);
        int heads = config.GetInt("num_attention_heads"), headDim = config.GetInt("attention_head_dim");
        // Diffusers' FeedForward of LTX is 4x the attention width (the config states no ffn_dim).
        return new DenoiserFootprint(heads, headDim, 4 * heads * headDim, new[] { layout.PatchSizeT, layout.PatchSize, layout.PatchSize }, layout.InChannels);
    }

    public static LtxTransformerRunner Open(ComponentRequest request)
    {
        var folder = ComponentFolder.Open(request.ModelFolder, request.Component);
        var layout = LtxTransformerLayout.FromConfig(folder.Config());
        var session = folder.OpenRequiring(request.Device, LtxTransformerContract.Graph, new SessionSpec(),
            LtxTransformerContract.HiddenStates, LtxTransformerContract.EncoderHiddenStates, LtxTransformerContract.Timestep,
            LtxTransformerContract.EncoderAttentionMask, LtxTransformerContract.NumFrames, LtxTransformerContract.Height,
            LtxTransformerContract.Width, LtxTransformerContract.RopeInterpolationScale);
        return new LtxTransformerRunner(session, layout);
    }

    public void Run(DeviceTensor hidden, float[] timesteps, DeviceTensor text, long[] textMask, (long F, long H, long W) grid, float[] ropeScale,
        DeviceTensor output)
    {
        long batch = hidden.Shape[0];
        using var timestep = OrtValue.CreateTensorValueFromMemory(timesteps, new[] { batch });
        using var mask = OrtValue.CreateTensorValueFromMemory(textMask, new[] { batch, text.Shape[1] });
        using var frames = OrtValue.CreateTensorValueFromMemory(new[] { grid.F }, new long[] { 1 });
        using var height = OrtValue.CreateTensorValueFromMemory(new[] { grid.H }, new long[] { 1 });
        using var width = OrtValue.CreateTensorValueFromMemory(new[] { grid.W }, new long[] { 1 });
        using var scale = OrtValue.CreateTensorValueFromMemory(ropeScale, new long[] { 3 });
        _session.Run(new[]
        {
            (LtxTransformerContract.HiddenStates, hidden.Value), (LtxTransformerContract.EncoderHiddenStates, text.Value),
            (LtxTransformerContract.Timestep, timestep), (LtxTransformerContract.EncoderAttentionMask, mask),
            (LtxTransformerContract.NumFrames, frames), (LtxTransformerContract.Height, height), (LtxTransformerContract.Width, width),
            (LtxTransformerContract.RopeInterpolationScale, scale),
        }, new[] { (LtxTransformerContract.Sample, output.Value) });
    }

    public void Dispose() => _session.Dispose();
}
