namespace FastVideo.Onnx.Core.Contracts.Ltx;

/// <summary>The LTX transformer graph's input and output names (see the converter's LtxTransformerGraph).</summary>
internal static class LtxTransformerContract
{
    public const string Graph = "model.onnx";
    public const string HiddenStates = "hidden_states";
    public const string EncoderHiddenStates = "encoder_hidden_states";
    public const string Timestep = "timestep";
    public const string EncoderAttentionMask = "encoder_attention_mask";
    public const string NumFrames = "num_frames";
    public const string Height = "height";
    public const string Width = "width";
    public const string RopeInterpolationScale = "rope_interpolation_scale";
    public const string Sample = "sample";
}
