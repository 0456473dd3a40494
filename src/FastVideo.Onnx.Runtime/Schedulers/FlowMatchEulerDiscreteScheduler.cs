using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Runtime.Schedulers;

/// <summary>
/// Diffusers' <c>FlowMatchEulerDiscreteScheduler</c> with a static shift (Wan, FastWan): Euler steps
/// x ← x + (σ_next − σ)·v along the flow-matching velocity.
/// </summary>
/// <remarks>
/// Diffusers shifts twice: the training schedule built at construction is shifted (in float32), and
/// <c>set_timesteps</c> spaces steps between its first and last sigma and shifts those again (in float64). That is
/// reproduced as is, since the published models were sampled that way.
/// </remarks>
[Scheduler(Name)]
internal sealed class FlowMatchEulerDiscreteScheduler : IScheduler
{
    const string Name = "FlowMatchEulerDiscreteScheduler";

    readonly double? _shiftTerminal;
    readonly bool _invertSigmas;
    readonly double _sigmaMin;
    readonly double _sigmaMax;

    float[] _sigmas = [];
    float[] _timesteps = [];
    int _stepIndex = -1;

    public FlowMatchEulerDiscreteScheduler(JsonConfig config, SchedulerOverrides? overrides = null)
    {
        overrides?.Validate();
        ConfigPath = config.Path;
        NumTrainTimesteps = SchedulerConfig.NumTrainTimesteps(config, overrides);
        Shift = SchedulerConfig.Shift(config, "shift", overrides);
        SchedulerConfig.RequireFalse(config, "use_dynamic_shifting", Name);
        SchedulerConfig.RequireFalse(config, "use_karras_sigmas", Name);
        SchedulerConfig.RequireFalse(config, "use_exponential_sigmas", Name);
        SchedulerConfig.RequireFalse(config, "use_beta_sigmas", Name);
        SchedulerConfig.RequireFalse(config, "stochastic_sampling", Name);
        // Only used by dynamic shifting, but Diffusers refuses other values at construction.
        SchedulerConfig.OneOf(config, "time_shift_type", "exponential", Name, "exponential", "linear");
        _shiftTerminal = SchedulerConfig.ShiftTerminal(config);
        _invertSigmas = config.GetBool("invert_sigmas", false);
        (_sigmaMin, _sigmaMax) = TrainingSigmaRange(NumTrainTimesteps, Shift);
    }

    /// <summary>A scheduler with Diffusers' defaults but for the shift and the training steps.</summary>
    public FlowMatchEulerDiscreteScheduler(double shift = 1.0, int numTrainTimesteps = 1000)
        : this(new JsonConfig("(FlowMatchEulerDiscreteScheduler defaults)", new JsonObject()),
            new SchedulerOverrides { FlowShift = shift, NumTrainTimesteps = numTrainTimesteps })
    {
    }

    public string ClassName => Name;
    public string ConfigPath { get; }
    public int NumTrainTimesteps { get; }
    public double Shift { get; }
    public int NumInferenceSteps => _timesteps.Length;
    public IReadOnlyList<float> Timesteps => _timesteps;
    public DType TimestepDType => DType.Float32;
    public IReadOnlyList<float> Sigmas => _sigmas;
    public int StepIndex => _stepIndex;

    /// <summary>
    /// The last and first sigma of the shifted training schedule, as Diffusers computes them at construction:
    /// σ = t / N for t = N..1 and the shift applied on float32 tensors.
    /// </summary>
    static (double Min, double Max) TrainingSigmaRange(int numTrainTimesteps, double shift)
    {
        static float Shifted(float sigma, double shift) => (float)shift * sigma / (1f + (float)(shift - 1) * sigma);
        float n = numTrainTimesteps;
        return (Shifted(1f / n, shift), Shifted(n / n, shift));
    }

    public void SetTimesteps(int numInferenceSteps)
    {
        if (numInferenceSteps < 1) throw new InvalidRequestException("num_inference_steps", $"must be at least 1 (got {numInferenceSteps})");
        int n = numInferenceSteps;
        double[] sigmas = ScheduleMath.Linspace(_sigmaMax * NumTrainTimesteps, _sigmaMin * NumTrainTimesteps, n);
        for (int i = 0; i < n; i++) sigmas[i] /= NumTrainTimesteps;
        ScheduleMath.ShiftInPlace(sigmas, Shift);
        if (_shiftTerminal is { } terminal) ScheduleMath.StretchToTerminalInPlace(sigmas, terminal);

        _sigmas = new float[n + 1];
        _timesteps = new float[n];
        for (int i = 0; i < n; i++)
        {
            float sigma = (float)sigmas[i];
            // Mochi-style inverted schedules keep the timesteps of the inverted sigmas.
            if (_invertSigmas) sigma = 1f - sigma;
            _sigmas[i] = sigma;
            _timesteps[i] = sigma * NumTrainTimesteps;
        }
        _sigmas[n] = _invertSigmas ? 1f : 0f;
        Reset();
    }

    public void Reset() => _stepIndex = -1;

    public void Step(DeviceTensor modelOutput, int stepIndex, DeviceTensor sample, SchedulerWorkspace workspace)
    {
        if (_timesteps.Length == 0) throw new InvalidOperationException($"{Name}: call SetTimesteps before Step");
        if (modelOutput.ElementCount != sample.ElementCount)
            throw new InvalidRequestException("model_output", $"has {modelOutput.ElementCount} elements but the latents have {sample.ElementCount}");
        if (stepIndex < 0 || stepIndex >= _timesteps.Length)
            throw new ArgumentOutOfRangeException(nameof(stepIndex), stepIndex, $"the schedule has {_timesteps.Length} steps");
        if (_stepIndex >= 0 && stepIndex != _stepIndex)
            throw new InvalidOperationException($"{Name}: step {stepIndex} was requested but step {_stepIndex} is next (call Reset to start over)");

        // x + (σ_next − σ)·v, with the difference rounded to float32 as Diffusers holds it.
        float dt = _sigmas[stepIndex + 1] - _sigmas[stepIndex];
        workspace.Math.LinearCombination(new[] { 1.0, dt }, new[] { sample, modelOutput }, new[] { sample });
        _stepIndex = stepIndex + 1;
    }
}
