using Orleans.Concurrency;

namespace FastVideo.Onnx.Server.Cluster;

/// <summary>A device of a silo (key: <see cref="WorkerIds"/>), placed on that silo: the dispatcher wakes it when it has work for it.</summary>
internal interface IWorkerGrain : IGrainWithStringKey
{
    [OneWay]
    Task Wake();
}
