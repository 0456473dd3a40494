using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Pipelines;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>
/// Which denoiser runs a step of <see cref="DenoisingStage"/>, and with which guidance scale: the same one for every
/// step (<see cref="SingleDenoiser"/>), or a model's experts chosen by the step's timestep. All of them take the same
/// channels (the stage sizes its buffers once).
/// </summary>
internal interface IStepDenoisers
{
    /// <summary>Channels of the latent input (latents plus any conditioning channels).</summary>
    int InChannels { get; }

    /// <summary>Channels of the prediction.</summary>
    int OutChannels { get; }

    /// <summary>Whether the denoisers' self-attention is Video Sparse Attention (the request's sparsity is then used).</summary>
    bool UsesVsa { get; }

    /// <summary>
    /// The denoiser for timestep <paramref name="t"/> (it may be opened now, when a model keeps one expert resident at a
    /// time) and the guidance scale of <paramref name="batch"/> that combines its two passes.
    /// </summary>
    (IDenoiser Denoiser, double GuidanceScale) For(float t, ForwardBatch batch);
}
