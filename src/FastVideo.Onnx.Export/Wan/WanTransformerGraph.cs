using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Onnx;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// The transformer's ONNX signature. Inputs: <c>hidden_states</c> [B, C, F, H, W], <c>timestep</c> [B] (or [B, S] with
/// S = F·H·W / (patch volume) tokens for a per-token model, Wan2.2 TI2V; the manifest declares which),
/// <c>encoder_hidden_states</c> [B, L, text_dim] and, for image-to-video, <c>encoder_hidden_states_image</c>
/// [B, N, image_dim], and for a VSA transformer (FastWan) <c>vsa_sparsity</c> float32 [1]; output <c>sample</c> [B, out_channels, F, H, W]. All float32 at the boundary whatever the
/// compute precision, so callers never convert.
/// </summary>
public static class WanTransformerGraph
{
    public const string HiddenStates = "hidden_states";
    public const string Timestep = "timestep";
    public const string EncoderHiddenStates = "encoder_hidden_states";
    public const string EncoderHiddenStatesImage = "encoder_hidden_states_image";
    public const string Sample = "sample";
    public const string VsaSparsity = "vsa_sparsity";

    /// <summary>The token axis of a per-token <c>timestep</c> input.</summary>
    public const string TokensDim = "tokens";

    /// <param name="fusedKernels">Emit the DiT compound operators as nodes of the CUDA kernel library (see <see cref="FusedKernelGraphBuilder"/>).</param>
    /// <param name="denseAttention">Export a VSA model with dense self-attention (its gates unused, no <c>vsa_sparsity</c> input).</param>
    public static OnnxGraphBuilder Build(WanTransformer3DModel model, DType computeType, bool fusedKernels = false, bool denseAttention = false)
    {
        var c = model.Config;
        var g = fusedKernels ? new FusedKernelGraphBuilder(computeType) : new OnnxGraphBuilder(computeType);
        var hidden = g.Input(HiddenStates, DType.Float32, "batch", c.InChannels, "frames", "height", "width");
        var timestep = model.PerTokenTimesteps ? g.Input(Timestep, DType.Float32, "batch", TokensDim) : g.Input(Timestep, DType.Float32, "batch");
        var text = g.Input(EncoderHiddenStates, DType.Float32, "batch", "text_tokens", c.TextDim);
        var image = c.ImageDim is int imageDim ? g.Input(EncoderHiddenStatesImage, DType.Float32, "batch", "image_tokens", imageDim) : null;
        var sparsity = model.UsesVsa && !denseAttention ? g.Input(VsaSparsity, DType.Float32, 1) : null;
        var sample = model.Forward(g, hidden, timestep, text, image, sparsity);
        g.Output(sample, Sample, "batch", c.OutChannels, "frames", "height", "width");
        return g;
    }
}
