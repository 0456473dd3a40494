using FastVideo.Onnx.Server.Jobs;

namespace FastVideo.Onnx.Server.Cluster;

/// <summary>
/// The cluster's queue (one grain, key 0): the order of the queued jobs and the jobs running and on which worker (each
/// owner's list is an <see cref="IOwnerGrain"/>). Workers pull from it; it wakes an idle worker that has a new job's model
/// loaded (the one that ran that model last first), and takes back the jobs of workers whose silo has been declared dead.
/// </summary>
internal interface IDispatcherGrain : IGrainWithIntegerKey
{
    Task<bool> Enqueue(string id, string model, int maxQueue);

    /// <summary>The next job for <paramref name="worker"/> (claimed for it), or null; also registers the worker as idle or busy.</summary>
    Task<VideoJob?> Next(string worker, string[] loaded);

    /// <summary>A running job ended (completed, failed or cancelled); a completed job's outputs expire at <paramref name="expiresAt"/>.</summary>
    Task Ended(string id, string worker, string status, long? expiresAt);

    /// <summary>Ids of completed jobs whose outputs are past their expiry at <paramref name="now"/> (at most <paramref name="limit"/>).</summary>
    Task<string[]> Expired(long now, int limit);

    /// <summary>The outputs of these jobs were removed.</summary>
    Task Swept(string[] ids);

    /// <summary>A running job was stopped by its worker's shutdown and is queued again.</summary>
    Task Stopped(string id, string worker);

    Task Forget(string id);

    Task<Dictionary<string, long>> Counts();
}
