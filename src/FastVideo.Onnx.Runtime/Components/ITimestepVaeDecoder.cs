using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>
/// A decoder that may be conditioned on a timestep, with noise mixed into the latents first (LTX-Video 0.9.1+:
/// <c>(1 - s)·z + s·noise</c> of the de-normalised latents z, then <c>decode(·, timestep)</c>).
/// </summary>
public interface ITimestepVaeDecoder : IVaeDecoder
{
    /// <summary>Whether the decoder takes a timestep (and so needs the decode timestep, noise and scale).</summary>
    bool TimestepConditioned { get; }

    /// <summary>Normalised latents [1, C, f, h, w] and noise of the same shape to video [1, 3, F, H, W] in [-1, 1].</summary>
    HostTensor Decode(HostTensor latents, float timestep, HostTensor noise, float noiseScale, CancellationToken cancel = default);
}
