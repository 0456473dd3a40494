using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Schedulers;

namespace FastVideo.Onnx.Runtime.Pipelines.Ltx;

/// <summary>
/// LTXPipeline's schedule: sigmas linspace(1, 1/n, n) and, under dynamic shifting, mu = calculate_shift of the number of
/// packed latent tokens.
/// </summary>
internal sealed class LtxTimestepPreparationStage(Func<IScheduler> scheduler, LatentLayout latents, (int Spatial, int Temporal) patch) : PipelineStage
{
    public override string Name => "timestep preparation";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var created = scheduler();
        if (created is not IShiftedSigmaScheduler shifted)
            throw new ModelFormatException(created.ConfigPath, $"{created.ClassName} cannot take LTXPipeline's sigmas (a FlowMatchEulerDiscreteScheduler can)");
        if (batch.Request.FlowShift is not null)
            batch.Notices.Add("FlowShift is ignored: LTX-Video shifts its schedule by the token count (use_dynamic_shifting)");
        var (f, h, w) = batch.LatentGrid(latents);
        long tokens = f / patch.Temporal * (h / patch.Spatial) * (w / patch.Spatial);
        int n = batch.Steps;
        // np.linspace(1.0, 1 / n, n)
        var sigmas = ScheduleMath.Linspace(1.0, 1.0 / n, n);
        shifted.SetTimesteps(sigmas, shifted.UsesDynamicShifting ? shifted.CalculateShift(tokens) : null);
        batch.Scheduler = shifted;
        batch.Timesteps = shifted.Timesteps.ToArray();
    }
}
