namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>
/// The layout of first-frame conditioning channels: a mask of <see cref="MaskChannels"/> channels (1 on the first latent
/// frame), then the encoded video. The family's contract gives the count (Wan: one per video frame of a latent frame,
/// the VAE's temporal compression).
/// </summary>
public sealed record FirstFrameConditioning(int MaskChannels);
