using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Runtime.Schedulers;

/// <summary>
/// FastVideo's DMD sampling schedule (<c>DmdDenoisingStage</c>): a few fixed timesteps, each with the sigma of the
/// nearest entry of the flow-matching training grid (1000 steps, shift 8, built in float32 as Diffusers'
/// FlowMatchEulerDiscreteScheduler builds it). A step predicts x0 = x_t − σ·v (in float64) and, before the next step,
/// re-noises it to that step's sigma: x = (1 − σ_next)·x0 + σ_next·noise (in float32).
/// </summary>
public sealed class DmdSchedule
{
    /// <summary>FastWan's timesteps (FastVideo's <c>dmd_denoising_steps</c>).</summary>
    public static readonly IReadOnlyList<int> DefaultSteps = new[] { 1000, 757, 522 };

    public const int TrainTimesteps = 1000;
    public const double Shift = 8.0;

    static readonly Lazy<(double[] Timesteps, double[] Sigmas)> Grid = new(() => TrainingGrid(TrainTimesteps, (float)Shift));

    public DmdSchedule(IReadOnlyList<int> steps)
    {
        Validate(steps);
        Timesteps = steps.ToArray();
        Sigmas = steps.Select(SigmaAt).ToArray();
    }

    public IReadOnlyList<int> Timesteps { get; }

    /// <summary>The sigma of each timestep (float32 values of the grid, as doubles).</summary>
    public IReadOnlyList<double> Sigmas { get; }

    /// <summary>Refuses timesteps that are not strictly decreasing within [1, 1000], naming the request option.</summary>
    public static void Validate(IReadOnlyList<int> steps)
    {
        const string Option = nameof(Pipelines.GenerationRequest.DmdSteps);
        if (steps.Count == 0) throw new InvalidRequestException(Option, "needs at least one timestep (FastWan uses 1000,757,522)");
        for (int i = 0; i < steps.Count; i++)
        {
            if (steps[i] is < 1 or > TrainTimesteps)
                throw new InvalidRequestException(Option, $"timestep {steps[i]} is outside [1, {TrainTimesteps}]");
            if (i > 0 && steps[i] >= steps[i - 1])
                throw new InvalidRequestException(Option, $"timesteps must be strictly decreasing ({steps[i - 1]} then {steps[i]})");
        }
    }

    /// <summary>The sigma of the grid entry whose timestep is nearest <paramref name="timestep"/> (the first on a tie, as torch.argmin).</summary>
    public static double SigmaAt(int timestep)
    {
        var (timesteps, sigmas) = Grid.Value;
        int best = 0;
        for (int i = 1; i < timesteps.Length; i++)
            if (Math.Abs(timesteps[i] - timestep) < Math.Abs(timesteps[best] - timestep)) best = i;
        return sigmas[best];
    }

    /// <summary>x0 = x − σ·v, in float64, rounded to float32.</summary>
    public static void PredictX0(ReadOnlySpan<float> x, ReadOnlySpan<float> velocity, double sigma, Span<float> x0)
    {
        for (int i = 0; i < x0.Length; i++) x0[i] = (float)(x[i] - sigma * velocity[i]);
    }

    /// <summary>x = (1 − σ)·x0 + σ·noise in float32 (σ rounded to float32 first).</summary>
    public static void AddNoise(ReadOnlySpan<float> x0, ReadOnlySpan<float> noise, double sigma, Span<float> x)
    {
        float s = (float)sigma, keep = 1f - s;
        for (int i = 0; i < x.Length; i++) x[i] = keep * x0[i] + s * noise[i];
    }

    // Diffusers' training grid: t = 1000..1 (float32), σ = t/N, σ' = shift·σ / (1 + (shift − 1)·σ), timestep = σ'·N, all float32.
    static (double[], double[]) TrainingGrid(int n, float shift)
    {
        var timesteps = new double[n];
        var sigmas = new double[n];
        for (int i = 0; i < n; i++)
        {
            float sigma = (float)(n - i) / n;
            float shifted = shift * sigma / (1f + (shift - 1f) * sigma);
            sigmas[i] = shifted;
            timesteps[i] = shifted * n;
        }
        return (timesteps, sigmas);
    }
}
