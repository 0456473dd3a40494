using FastVideo.Onnx.Server.Jobs;

namespace FastVideo.Onnx.Server.Cluster;

/// <summary>
/// The observer of one silo: job grains on any silo send it the events of the jobs this silo's streams watch, and it
/// hands them to the local <see cref="JobEvents"/>. Created once per silo; its reference is what job grains hold.
/// </summary>
internal sealed class JobEventRelay(JobEvents events) : IJobObserver
{
    public Task OnEvent(JobEvent e)
    {
        events.Publish(e);
        return Task.CompletedTask;
    }
}
