using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>The encoding role (image-to-video conditioning): video to latents.</summary>
public interface IVaeEncoder : IDisposable
{
    /// <summary>The latent space it encodes to: channels and compression factors (from the model's config).</summary>
    LatentLayout Latents { get; }

    /// <summary>Video [1, 3, F, H, W] in [-1, 1] to latents [1, channels, f, h, w], normalised as the denoiser sees them.</summary>
    HostTensor Encode(HostTensor video, CancellationToken cancel = default);
}
