using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>The decoding role: denoised latents to video.</summary>
public interface IVaeDecoder : IDisposable
{
    /// <summary>The latent space it decodes: channels and compression factors (from the model's config).</summary>
    LatentLayout Latents { get; }

    /// <summary>
    /// Latents [1, channels, f, h, w], normalised as the denoiser sees them, to video [1, 3, F, H, W] in [-1, 1] on the
    /// host (F, H and W by <see cref="Latents"/>' compression). <paramref name="chunkDone"/>, when given, hears (chunks
    /// decoded, chunks) after each chunk of a decoder that works in chunks (once at the end otherwise), in order, perhaps
    /// on another thread (a chunk's frames are copied out while the next chunk decodes).
    /// </summary>
    HostTensor Decode(HostTensor latents, CancellationToken cancel = default, Action<int, int>? chunkDone = null);
}
