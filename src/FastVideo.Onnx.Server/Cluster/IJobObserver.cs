using Orleans.Concurrency;

namespace FastVideo.Onnx.Server.Cluster;

/// <summary>A silo's receiver of the events of the jobs its event streams follow.</summary>
internal interface IJobObserver : IGrainObserver
{
    [OneWay]
    Task OnEvent(Jobs.JobEvent e);
}
