using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Schedulers;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>Creates the request's scheduler (with its flow-shift override) and its timesteps for the requested number of steps.</summary>
internal sealed class TimestepPreparationStage(Func<double?, IScheduler> scheduler) : PipelineStage
{
    public override string Name => "timestep preparation";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        batch.Scheduler = scheduler(batch.Request.FlowShift);
        batch.Scheduler.SetTimesteps(batch.Steps);
        batch.Timesteps = batch.Scheduler.Timesteps.ToArray();
    }
}
