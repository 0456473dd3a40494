using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Runtime.Schedulers;

/// <summary>
/// A diffusion sampler as a denoising loop drives it: <see cref="SetTimesteps"/> once per request, then for each step
/// <c>i</c> the transformer is run at <see cref="Timesteps"/>[i] and <see cref="Step"/> advances the latents in place.
/// Buffers are float32 and contiguous; the scheduler keeps whatever history its solver needs between steps.
/// </summary>
public interface IScheduler
{
    /// <summary>The <c>_class_name</c> this scheduler reproduces ("UniPCMultistepScheduler").</summary>
    string ClassName { get; }

    /// <summary>The configuration file it was built from, for messages.</summary>
    string ConfigPath { get; }

    int NumTrainTimesteps { get; }

    /// <summary>Steps of the current schedule; 0 until <see cref="SetTimesteps"/> is called.</summary>
    int NumInferenceSteps { get; }

    /// <summary>
    /// The timestep passed to the transformer at each step. Values are exact in float32 for both element types;
    /// <see cref="TimestepDType"/> says how Diffusers holds them (int64 for UniPC, float32 for flow-matching Euler),
    /// which is the type the pipeline feeds the transformer.
    /// </summary>
    IReadOnlyList<float> Timesteps { get; }

    DType TimestepDType { get; }

    /// <summary>Noise levels, one longer than <see cref="Timesteps"/> (the last is the level after the final step).</summary>
    IReadOnlyList<float> Sigmas { get; }

    /// <summary>The step index the next <see cref="Step"/> call must pass; -1 before the first step.</summary>
    int StepIndex { get; }

    /// <summary>Builds the schedule for <paramref name="numInferenceSteps"/> steps and clears the solver history.</summary>
    void SetTimesteps(int numInferenceSteps);

    /// <summary>
    /// Advances <paramref name="sample"/> (the latents at step <paramref name="stepIndex"/>) to the next noise level,
    /// in place, on the device of <paramref name="workspace"/>: each update is a weighted sum of tensors whose weights
    /// are computed on the host, so the latents never leave the device. The first call after
    /// <see cref="SetTimesteps"/> or <see cref="Reset"/> may start at any index (to begin mid-schedule); later calls
    /// must follow on consecutively, with the same workspace.
    /// </summary>
    void Step(DeviceTensor modelOutput, int stepIndex, DeviceTensor sample, SchedulerWorkspace workspace);

    /// <summary>Forgets the solver history (returning its buffers to the workspace's pool) and the step counter, keeping the schedule.</summary>
    void Reset();
}
