using FastVideo.Onnx.Server.Jobs;

namespace FastVideo.Onnx.Server.Cluster;

/// <inheritdoc cref="IWorkerGrain"/>
/// <remarks>Its silo's <see cref="JobEvents"/> is the one its device's worker waits on, so a wake costs one message.</remarks>
[OwnSiloPlacementFilter]
internal sealed class WorkerGrain(JobEvents events) : Grain, IWorkerGrain
{
    public Task Wake()
    {
        events.Queued();
        return Task.CompletedTask;
    }
}
