namespace FastVideo.Onnx.Runtime.Components;

/// <summary>
/// The sizes a denoiser session is specialised to: batch and latent grid (frames, height, width). Context lengths stay
/// dynamic: they are small, and a fixed empty image context (what Diffusers' split gives with short text) trips ONNX
/// Runtime's static-shape rewrites.
/// </summary>
public sealed record TransformerShape(long Batch, long Frames, long Height, long Width)
{
    public override string ToString() => $"batch {Batch}, latents {Frames}x{Height}x{Width}";
}
