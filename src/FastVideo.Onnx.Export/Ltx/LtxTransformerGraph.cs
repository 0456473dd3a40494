using FastVideo.Onnx.Core.Contracts.Ltx;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Onnx;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// The LTX transformer's ONNX signature. Inputs: <c>hidden_states</c> [B, S, C] (packed latents), <c>encoder_hidden_states</c>
/// [B, L, caption_channels], <c>timestep</c> float32 [B], <c>encoder_attention_mask</c> int64 [B, L], the latent grid
/// <c>num_frames</c>, <c>height</c>, <c>width</c> int64 [1] and <c>rope_interpolation_scale</c> float32 [3]; output
/// <c>sample</c> [B, S, out_channels]. Float32 at the boundary whatever the compute precision.
/// </summary>
internal static class LtxTransformerGraph
{
    public const string HiddenStates = LtxTransformerContract.HiddenStates;
    public const string EncoderHiddenStates = LtxTransformerContract.EncoderHiddenStates;
    public const string Timestep = LtxTransformerContract.Timestep;
    public const string EncoderAttentionMask = LtxTransformerContract.EncoderAttentionMask;
    public const string NumFrames = LtxTransformerContract.NumFrames;
    public const string Height = LtxTransformerContract.Height;
    public const string Width = LtxTransformerContract.Width;
    public const string RopeInterpolationScale = LtxTransformerContract.RopeInterpolationScale;
    public const string Sample = LtxTransformerContract.Sample;

    public static OnnxGraphBuilder Build(LtxTransformer3DModel model, DType computeType)
    {
        var c = model.Config;
        var g = new OnnxGraphBuilder(computeType);
        var hidden = g.Input(HiddenStates, DType.Float32, "batch", "tokens", c.InChannels);
        var text = g.Input(EncoderHiddenStates, DType.Float32, "batch", "text_tokens", c.CaptionChannels);
        var timestep = g.Input(Timestep, DType.Float32, "batch");
        var mask = g.Input(EncoderAttentionMask, DType.Int64, "batch", "text_tokens");
        var frames = g.Input(NumFrames, DType.Int64, 1);
        var height = g.Input(Height, DType.Int64, 1);
        var width = g.Input(Width, DType.Int64, 1);
        var scale = g.Input(RopeInterpolationScale, DType.Float32, 3);
        var sample = model.Forward(g, hidden, text, timestep, mask, frames, height, width, scale);
        g.Output(sample, Sample, "batch", "tokens", c.OutChannels);
        return g;
    }
}
