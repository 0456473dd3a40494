using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Pipelines;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>One denoiser for every step, guided by the request's guidance scale. The pipeline owns (and disposes) it.</summary>
internal sealed class SingleDenoiser(IDenoiser denoiser) : IStepDenoisers
{
    public int InChannels => denoiser.InChannels;
    public int OutChannels => denoiser.OutChannels;
    public bool UsesVsa => denoiser.UsesVsa;

    public (IDenoiser Denoiser, double GuidanceScale) For(float t, ForwardBatch batch) => (denoiser, batch.GuidanceScale);
}
