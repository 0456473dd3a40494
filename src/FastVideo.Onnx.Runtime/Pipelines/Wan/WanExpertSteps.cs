using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Components.Wan;
using FastVideo.Onnx.Runtime.Stages;

namespace FastVideo.Onnx.Runtime.Pipelines.Wan;

/// <summary>
/// Wan2.2's denoiser per step (Diffusers' WanPipeline with <c>boundary_ratio</c>): the expert the step's timestep falls
/// to (<see cref="WanExperts.For"/>), guided by <c>guidance_scale</c> above the boundary and <c>guidance_scale_2</c>
/// below; with one transformer (TI2V-5B) every step runs it with <c>guidance_scale</c>. The pipeline owns the experts.
/// </summary>
internal sealed class WanExpertSteps(WanExperts experts) : IStepDenoisers
{
    public int InChannels => experts.InChannels;
    public int OutChannels => experts.OutChannels;
    public bool UsesVsa => experts.UsesVsa;

    public (IDenoiser Denoiser, double GuidanceScale) For(float t, ForwardBatch batch) =>
        (experts.For(t), experts.IndexFor(t) == 0 ? batch.GuidanceScale : batch.GuidanceScale2);
}
