using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>
/// A text encoder whose denoiser also takes the prompt's token mask (LTX-Video's transformer masks the caption's padding
/// in cross-attention).
/// </summary>
public interface IMaskedTextEncoder : ITextEncoder
{
    /// <summary>[1, L, dim] embeddings of <paramref name="prompt"/> and its attention mask [L] (1 for tokens, 0 for padding).</summary>
    (HostTensor Embeds, long[] Mask) EncodeWithMask(string prompt, int maxSequenceLength);
}
