using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Runtime.Schedulers;

/// <summary>
/// Diffusers' <c>FlowMatchEulerDiscreteScheduler</c>: Euler steps x ← x + (σ_next − σ)·v along the flow-matching
/// velocity, with a static shift (Wan, FastWan) or, with <c>use_dynamic_shifting</c>, a shift mu given per request
/// (LTX-Video: from the latent token count, see <see cref="IShiftedSigmaScheduler"/>).
/// </summary>
/// <remarks>
/// Diffusers shifts twice: the training schedule built at construction is shifted (in float32), and
/// <c>set_timesteps</c> spaces steps between its first and last sigma and shifts those again (in float64). That is
/// reproduced as is, since the published models were sampled that way.
/// </remarks>
[Scheduler(Name)]
internal sealed class FlowMatchEulerDiscreteScheduler : IShiftedSigmaScheduler
{
    const string Name = "FlowMatchEulerDiscreteScheduler";

    readonly double? _shiftTerminal;
    readonly bool _invertSigmas;
    readonly double _sigmaMin;
    readonly double _sigmaMax;
    readonly bool _dynamicShifting;
    readonly bool _exponentialTimeShift;
    readonly double _baseShift;
    readonly double _maxShift;
    readonly double _baseImageSeqLen;
    readonly double _maxImageSeqLen;

    float[] _sigmas = [];
    float[] _timesteps = [];
    int _stepIndex = -1;

    public FlowMatchEulerDiscreteScheduler(JsonConfig config, SchedulerOverrides? overrides = null)
    {
        overrides?.Validate();
        ConfigPath = config.Path;
        NumTrainTimesteps = SchedulerConfig.NumTrainTimesteps(config, overrides);
        Shift = SchedulerConfig.Shift(config, "shift", overrides);
        _dynamicShifting = config.GetBool("use_dynamic_shifting", false);
        SchedulerConfig.RequireFalse(config, "use_karras_sigmas", Name);
        SchedulerConfig.RequireFalse(config, "use_exponential_sigmas", Name);
        SchedulerConfig.RequireFalse(config, "use_beta_sigmas", Name);
        SchedulerConfig.RequireFalse(config, "stochastic_sampling", Name);
        // Only used by dynamic shifting, but Diffusers refuses other values at construction.
        _exponentialTimeShift = SchedulerConfig.OneOf(config, "time_shift_type", "exponential", Name, "exponential", "linear") == "exponential";
        // calculate_shift's settings, with the defaults LTXPipeline reads them with (config.get(field, default))
        _baseShift = config.GetDouble("base_shift", 0.5);
        _maxShift = config.GetDouble("max_shift", 1.15);
        _baseImageSeqLen = config.GetInt("base_image_seq_len", 256);
        _maxImageSeqLen = config.GetInt("max_image_seq_len", 4096);
        if (_maxImageSeqLen == _baseImageSeqLen)
            throw SchedulerConfig.FieldError(config, "max_image_seq_len", $"equals base_image_seq_len ({_baseImageSeqLen}); calculate_shift divides by their difference");
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

    public bool UsesDynamicShifting => _dynamicShifting;

    public double CalculateShift(long imageSequenceLength)
    {
        // float64 like the Python helper
        double m = (_maxShift - _baseShift) / (_maxImageSeqLen - _baseImageSeqLen);
        double b = _baseShift - m * _baseImageSeqLen;
        return imageSequenceLength * m + b;
    }

    public void SetTimesteps(IReadOnlyList<double> sigmas, double? mu)
    {
        ArgumentNullException.ThrowIfNull(sigmas);
        if (sigmas.Count < 1) throw new InvalidRequestException("num_inference_steps", "must be at least 1 (got 0)");
        if (_dynamicShifting && mu is null)
            throw new InvalidOperationException($"{Name}: use_dynamic_shifting is set in {ConfigPath}, so the schedule needs mu");
        int n = sigmas.Count;
        // Diffusers holds given sigmas as a float32 numpy array: the shift and the terminal stretch are float32 arithmetic
        // (Python scalars take the array's type)
        var s = new float[n];
        for (int i = 0; i < n; i++)
        {
            float sigma = (float)sigmas[i];
            if (_dynamicShifting)
            {
                // time_shift(mu, 1.0, t): exp(mu) / (exp(mu) + (1/t - 1)), or mu / (mu + (1/t - 1)) for the linear type
                float a = _exponentialTimeShift ? (float)Math.Exp(mu!.Value) : (float)mu!.Value;
                sigma = a / (a + (1f / sigma - 1f));
            }
            else
            {
                float shift = (float)Shift;
                sigma = shift * sigma / (1f + (shift - 1f) * sigma);
            }
            s[i] = sigma;
        }
        if (_shiftTerminal is { } terminal)
        {
            float scale = (1f - s[^1]) / (float)(1 - terminal);
            for (int i = 0; i < n; i++) s[i] = 1f - (1f - s[i]) / scale;
        }
        SetSchedule(s);
    }

    public void SetTimesteps(int numInferenceSteps)
    {
        if (numInferenceSteps < 1) throw new InvalidRequestException("num_inference_steps", $"must be at least 1 (got {numInferenceSteps})");
        if (_dynamicShifting)
            throw new InvalidOperationException($"{Name}: use_dynamic_shifting is set in {ConfigPath}, so the schedule needs mu (call SetTimesteps with sigmas and mu)");
        int n = numInferenceSteps;
        double[] sigmas = ScheduleMath.Linspace(_sigmaMax * NumTrainTimesteps, _sigmaMin * NumTrainTimesteps, n);
        for (int i = 0; i < n; i++) sigmas[i] /= NumTrainTimesteps;
        ScheduleMath.ShiftInPlace(sigmas, Shift);
        if (_shiftTerminal is { } terminal) ScheduleMath.StretchToTerminalInPlace(sigmas, terminal);
        SetSchedule(sigmas.Select(v => (float)v).ToArray());
    }

    /// <summary>The float32 sigmas of the steps become the schedule (timesteps σ·N, inverted for Mochi-style configs, a final 0 or 1).</summary>
    void SetSchedule(float[] sigmas)
    {
        int n = sigmas.Length;
        _sigmas = new float[n + 1];
        _timesteps = new float[n];
        for (int i = 0; i < n; i++)
        {
            float sigma = sigmas[i];
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
