namespace FastVideo.Onnx.Runtime.Tokenizers;

/// <summary>
/// One prompt as the text encoder takes it: <see cref="InputIds"/> and <see cref="AttentionMask"/> both of the
/// requested max length (ids padded with the pad id, mask 1 for real tokens including the closing eos, 0 for
/// padding), and <see cref="Length"/>, the number of real tokens (the mask's sum, which Diffusers' Wan pipelines use
/// to trim the encoder output before zero-padding it).
/// </summary>
internal sealed record TokenizedPrompt(long[] InputIds, long[] AttentionMask, int Length);
