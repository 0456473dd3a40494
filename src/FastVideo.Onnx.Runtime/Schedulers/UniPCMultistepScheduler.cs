using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Runtime.Schedulers;

/// <summary>The B(h) function of UniPC's update (Zhao et al. 2023): B(h) = h (bh1) or e^h − 1 (bh2).</summary>
internal enum UniPCSolverType
{
    Bh1,
    Bh2,
}

/// <summary>
/// Diffusers' <c>UniPCMultistepScheduler</c> in the flow-matching configuration Wan2.1 ships with
/// (<c>use_flow_sigmas</c>, <c>prediction_type = flow_prediction</c>, <c>predict_x0</c>): a multistep predictor
/// (UniP) followed at the next step by a corrector (UniC) that reuses the new model output, so each step costs one
/// transformer call.
/// </summary>
/// <remarks>
/// Numerics follow Diffusers: the schedule is built in float64 (numpy) and stored as float32; every coefficient is a
/// 0-dim float32 tensor in Diffusers, so coefficients are rounded to float32 after each operation here too. The float32
/// sigmas matter: the first one (1 − 1e-6 before rounding) gives α = 1 − σ ≈ 1.013e-6 instead of 1e-6, and using the
/// float64 value there moves the latents by about 1e-5 after four steps. Each tensor update (the data prediction, the
/// corrector, the predictor) is linear in the sample and the stored predictions, so it is applied as one weighted sum
/// on the workspace's device.
/// </remarks>
[Scheduler(Name)]
internal sealed class UniPCMultistepScheduler : IScheduler
{
    const string Name = "UniPCMultistepScheduler";

    readonly HashSet<int> _disableCorrector;
    readonly bool _finalSigmaZero;
    readonly double? _shiftTerminal;

    float[] _sigmas = [];
    float[] _timesteps = [];

    // Converted model outputs (x0 predictions) of the last SolverOrder steps, oldest first; null until filled.
    DeviceTensor?[] _modelOutputs;
    DeviceTensor? _lastSample;
    SchedulerWorkspace? _workspace;
    int _lowerOrderNums;
    int _thisOrder;
    int _stepIndex = -1;

    public UniPCMultistepScheduler(JsonConfig config, SchedulerOverrides? overrides = null)
    {
        overrides?.Validate();
        ConfigPath = config.Path;
        NumTrainTimesteps = SchedulerConfig.NumTrainTimesteps(config, overrides);

        SchedulerConfig.OneOf(config, "prediction_type", "epsilon", Name, "flow_prediction");
        SchedulerConfig.RequireTrue(config, "use_flow_sigmas", false, Name);
        SchedulerConfig.RequireTrue(config, "predict_x0", true, Name);
        SchedulerConfig.RequireFalse(config, "use_karras_sigmas", Name);
        SchedulerConfig.RequireFalse(config, "use_exponential_sigmas", Name);
        SchedulerConfig.RequireFalse(config, "use_beta_sigmas", Name);
        SchedulerConfig.RequireFalse(config, "thresholding", Name);
        SchedulerConfig.RequireFalse(config, "use_dynamic_shifting", Name);
        if (config.Has("solver_p"))
            throw SchedulerConfig.FieldError(config, "solver_p", $"is set, which {Name} in FastVideo.Onnx does not implement (a separate predictor scheduler)");

        SolverOrder = config.GetInt("solver_order", 2);
        if (SolverOrder < 1) throw SchedulerConfig.FieldError(config, "solver_order", $"must be at least 1 (got {SolverOrder})");
        // Diffusers maps the DPM-Solver names to bh2 when it registers the config; anything else it refuses.
        SolverType = SchedulerConfig.OneOf(config, "solver_type", "bh2", Name, "bh1", "bh2", "midpoint", "heun", "logrho") == "bh1"
            ? UniPCSolverType.Bh1
            : UniPCSolverType.Bh2;
        LowerOrderFinal = config.GetBool("lower_order_final", true);
        _disableCorrector = [.. config.GetIntArray("disable_corrector", [])];
        FlowShift = SchedulerConfig.Shift(config, "flow_shift", overrides);
        _shiftTerminal = SchedulerConfig.ShiftTerminal(config);
        // With flow sigmas the spacing does not change the schedule, but Diffusers refuses unknown values.
        SchedulerConfig.OneOf(config, "timestep_spacing", "linspace", Name, "linspace", "leading", "trailing");
        _finalSigmaZero = SchedulerConfig.OneOf(config, "final_sigmas_type", "zero", Name, "zero", "sigma_min") == "zero";
        if (_finalSigmaZero && !LowerOrderFinal && SolverOrder > 1)
            throw SchedulerConfig.FieldError(config, "lower_order_final",
                "is false with final_sigmas_type 'zero': the multistep update divides by an infinite log-SNR step at the last step (Diffusers returns non-finite latents); set it to true");

        _modelOutputs = new DeviceTensor?[SolverOrder];
    }

    public string ClassName => Name;
    public string ConfigPath { get; }
    public int NumTrainTimesteps { get; }
    public int SolverOrder { get; }
    public UniPCSolverType SolverType { get; }
    public bool LowerOrderFinal { get; }
    public double FlowShift { get; }
    public int NumInferenceSteps => _timesteps.Length;
    public IReadOnlyList<float> Timesteps => _timesteps;
    public DType TimestepDType => DType.Int64;
    public IReadOnlyList<float> Sigmas => _sigmas;
    public int StepIndex => _stepIndex;

    public void SetTimesteps(int numInferenceSteps)
    {
        if (numInferenceSteps < 1) throw new InvalidRequestException("num_inference_steps", $"must be at least 1 (got {numInferenceSteps})");
        int n = numInferenceSteps;
        // np.linspace(1, 1 / N, n + 1)[:-1], shifted, all in float64.
        double[] sigmas = ScheduleMath.Linspace(1.0, 1.0 / NumTrainTimesteps, n + 1)[..n];
        ScheduleMath.ShiftInPlace(sigmas, FlowShift);
        if (_shiftTerminal is { } terminal) ScheduleMath.StretchToTerminalInPlace(sigmas, terminal);
        // Keeps log(1 - sigma) finite at the first step.
        const double eps = 1e-6;
        if (Math.Abs(sigmas[0] - 1) < eps) sigmas[0] -= eps;

        _timesteps = new float[n];
        _sigmas = new float[n + 1];
        for (int i = 0; i < n; i++)
        {
            // torch's float64 -> int64 conversion truncates toward zero.
            _timesteps[i] = (long)(sigmas[i] * NumTrainTimesteps);
            _sigmas[i] = (float)sigmas[i];
        }
        _sigmas[n] = _finalSigmaZero ? 0f : (float)sigmas[n - 1];
        Reset();
    }

    public void Reset()
    {
        if (_workspace is not null)
        {
            foreach (var t in _modelOutputs.Append(_lastSample))
                if (t is not null) _workspace.Pool.Return(t);
        }
        Array.Clear(_modelOutputs);
        _lastSample = null;
        _workspace = null;
        _lowerOrderNums = 0;
        _thisOrder = 0;
        _stepIndex = -1;
    }

    public void Step(DeviceTensor modelOutput, int stepIndex, DeviceTensor sample, SchedulerWorkspace workspace)
    {
        if (_timesteps.Length == 0) throw new InvalidOperationException($"{Name}: call SetTimesteps before Step");
        if (modelOutput.ElementCount != sample.ElementCount)
            throw new InvalidRequestException("model_output", $"has {modelOutput.ElementCount} elements but the latents have {sample.ElementCount}");
        if (_lastSample is not null && !_lastSample.Shape.SequenceEqual(sample.Shape))
            throw new InvalidRequestException("latents", $"changed shape between steps ({_lastSample} -> {sample}); call Reset for a new sample");
        if (stepIndex < 0 || stepIndex >= _timesteps.Length)
            throw new ArgumentOutOfRangeException(nameof(stepIndex), stepIndex, $"the schedule has {_timesteps.Length} steps");
        if (_stepIndex >= 0 && stepIndex != _stepIndex)
            throw new InvalidOperationException($"{Name}: step {stepIndex} was requested but step {_stepIndex} is next (the multistep history must be built in order; call Reset to start over)");
        if (_workspace is not null && !ReferenceEquals(_workspace, workspace))
            throw new InvalidOperationException($"{Name}: the workspace changed between steps; call Reset first");
        _workspace = workspace;
        _stepIndex = stepIndex;
        var math = workspace.Math;

        // x0 = x - sigma * v: the data prediction of a flow-matching model.
        float sigma = _sigmas[stepIndex];
        var converted = workspace.Rent(sample.Shape);
        math.LinearCombination(new[] { 1.0, -sigma }, new[] { sample, modelOutput }, new[] { converted });

        bool useCorrector = stepIndex > 0 && !_disableCorrector.Contains(stepIndex - 1) && _lastSample is not null;
        if (useCorrector) Correct(converted, _lastSample!, sample, _thisOrder, math);

        // The oldest prediction leaves the history; its buffer goes back to the pool for the next step.
        if (_modelOutputs[0] is { } oldest) workspace.Pool.Return(oldest);
        Array.Copy(_modelOutputs, 1, _modelOutputs, 0, SolverOrder - 1);
        _modelOutputs[SolverOrder - 1] = converted;

        int order = LowerOrderFinal ? Math.Min(SolverOrder, _timesteps.Length - stepIndex) : SolverOrder;
        _thisOrder = Math.Min(order, _lowerOrderNums + 1);

        _lastSample ??= workspace.Rent(sample.Shape);
        math.Copy(sample, _lastSample);
        Predict(sample, _thisOrder, math);

        if (_lowerOrderNums < SolverOrder) _lowerOrderNums++;
        _stepIndex++;
    }

    /// <summary>Log signal-to-noise ratio λ = log α − log σ with α = 1 − σ, in float32.</summary>
    static float Lambda(float sigma) => ScheduleMath.Log(1f - sigma) - ScheduleMath.Log(sigma);

    /// <summary>
    /// The coefficients shared by UniP and UniC for a step from log-SNR <paramref name="lambdaS0"/> to
    /// <paramref name="lambdaT"/> (see <see cref="Lambda"/>) of the given <paramref name="order"/>: h·φ₁(h), B(h), and the
    /// right-hand side b of the order conditions.
    /// </summary>
    (float HPhi1, float Bh, float[] B) Coefficients(float lambdaT, float lambdaS0, int order)
    {
        float h = lambdaT - lambdaS0;
        float hh = -h; // predict_x0
        float hPhi1 = ScheduleMath.Expm1(hh);
        float hPhiK = hPhi1 / hh - 1f;
        float bh = SolverType == UniPCSolverType.Bh1 ? hh : ScheduleMath.Expm1(hh);
        var b = new float[order];
        long factorial = 1;
        for (int i = 1; i <= order; i++)
        {
            b[i - 1] = hPhiK * factorial / bh;
            factorial *= i + 1;
            hPhiK = hPhiK / hh - (float)(1.0 / factorial);
        }
        return (hPhi1, bh, b);
    }

    /// <summary>The ratios r_k = (λ_{s_k} − λ_{s0}) / h for earlier noise levels, then 1, and the matrix R_ij = r_j^i.</summary>
    static float[,] OrderMatrix(float[] ratios)
    {
        int n = ratios.Length;
        var r = new float[n, n];
        for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            r[i, j] = Power(ratios[j], i);
        return r;
    }

    // torch.pow with a small integer exponent multiplies (x*x, x*x*x); larger ones go through std::pow.
    static float Power(float x, int exponent) => exponent switch
    {
        0 => 1f,
        1 => x,
        2 => x * x,
        3 => x * x * x,
        _ => (float)Math.Pow(x, exponent),
    };

    /// <summary>What UniP and UniC share: the step from σ_s0 to σ_t, the previous model outputs and their ratios r_i, and B(h).</summary>
    readonly record struct MultistepTerms(float SigmaT, float SigmaS0, float AlphaT, float HPhi1, float Bh, float[] B,
        float[] Ratios, DeviceTensor M0, DeviceTensor[] History);

    /// <summary>Terms of a step to sigma index <paramref name="t"/> from <paramref name="s0"/>; history i sits at sigma s0 − i.</summary>
    MultistepTerms Terms(int t, int s0, int order)
    {
        float sigmaT = _sigmas[t], sigmaS0 = _sigmas[s0];
        float lambdaS0 = Lambda(sigmaS0);
        float h = Lambda(sigmaT) - lambdaS0;
        var ratios = new float[order];
        var history = new DeviceTensor[order - 1];
        for (int i = 1; i < order; i++)
        {
            ratios[i - 1] = (Lambda(_sigmas[s0 - i]) - lambdaS0) / h;
            history[i - 1] = _modelOutputs[SolverOrder - 1 - i]!;
        }
        ratios[order - 1] = 1f;
        var (hPhi1, bh, b) = Coefficients(Lambda(sigmaT), lambdaS0, order);
        return new MultistepTerms(sigmaT, sigmaS0, 1f - sigmaT, hPhi1, bh, b, ratios, _modelOutputs[SolverOrder - 1]!, history);
    }

    /// <summary>
    /// Writes Σ w_j·tensor_j into <paramref name="output"/>, after adding −α_t·B(h)·Σ ρ_i (m_i − m0)/r_i over the history
    /// (the second of <paramref name="tensors"/> is m0).
    /// </summary>
    static void CombineWithHistory(in MultistepTerms terms, float[] rhos, List<double> weights, List<DeviceTensor> tensors,
        DeviceTensor output, IDeviceMath math)
    {
        double residualScale = terms.AlphaT * terms.Bh;
        for (int i = 0; i < terms.History.Length; i++)
        {
            double w = residualScale * rhos[i] / terms.Ratios[i];
            weights[1] += w;
            weights.Add(-w);
            tensors.Add(terms.History[i]);
        }
        math.LinearCombination(weights.ToArray(), tensors, new[] { output });
    }

    /// <summary>UniP: the explicit multistep update from the current sample, in place.</summary>
    void Predict(DeviceTensor x, int order, IDeviceMath math)
    {
        var terms = Terms(_stepIndex + 1, _stepIndex, order);
        int previous = order - 1;
        float[] rhos = [];
        if (previous > 0)
        {
            if (order == 2) rhos = [0.5f];
            else
            {
                var r = OrderMatrix(terms.Ratios);
                var reduced = new float[previous, previous];
                for (int i = 0; i < previous; i++)
                for (int j = 0; j < previous; j++)
                    reduced[i, j] = r[i, j];
                rhos = ScheduleMath.Solve(reduced, terms.B[..previous]);
            }
        }

        // x_t = (σ_t/σ_s0)·x − α_t·hφ1·m0 − α_t·B(h)·Σ ρ_i (m_i − m0)/r_i. Without history Diffusers subtracts
        // α·B(h)·0, which is zero except when B(h) is infinite (bh1 at a final sigma of 0, where it turns every latent
        // into NaN); the term is left out instead.
        var weights = new List<double> { terms.SigmaT / terms.SigmaS0, -(terms.AlphaT * terms.HPhi1) };
        CombineWithHistory(terms, rhos, weights, new List<DeviceTensor> { x, terms.M0 }, x, math);
    }

    /// <summary>
    /// UniC: refines the sample the previous predictor produced, using the model output at that sample
    /// (<paramref name="modelT"/>, already converted), and writes the corrected sample into <paramref name="xT"/>.
    /// </summary>
    void Correct(DeviceTensor modelT, DeviceTensor lastSample, DeviceTensor xT, int order, IDeviceMath math)
    {
        var terms = Terms(_stepIndex, _stepIndex - 1, order);
        float[] rhos = order == 1 ? [0.5f] : ScheduleMath.Solve(OrderMatrix(terms.Ratios), terms.B);
        double rhoTerm = (double)(terms.AlphaT * terms.Bh) * rhos[order - 1];

        // x_t = (σ_t/σ_s0)·x_last − α_t·hφ1·m0 − α_t·B(h)·(Σ ρ_i (m_i − m0)/r_i + ρ_t (m_t − m0))
        var weights = new List<double> { terms.SigmaT / terms.SigmaS0, -(terms.AlphaT * terms.HPhi1) + rhoTerm, -rhoTerm };
        CombineWithHistory(terms, rhos, weights, new List<DeviceTensor> { lastSample, terms.M0, modelT }, xT, math);
    }
}
