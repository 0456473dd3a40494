using FastVideo.Onnx.Server.Jobs;
using Orleans.Runtime;

namespace FastVideo.Onnx.Server.Cluster;

/// <summary>
/// The jobs of a cluster, seen from one silo: job grains hold the jobs, the dispatcher grain the queue. A stream on
/// this silo follows a job through the silo's <see cref="JobEventRelay"/>, which the job grain notifies (the relay's
/// reference lives as long as the silo's runtime, which removes it when it stops).
/// </summary>
internal sealed class OrleansJobService : IJobService
{
    readonly IGrainFactory _grains;
    readonly JobEvents _events;
    // Orleans holds an observer object by a weak reference only: the service keeps it alive for the silo's lifetime.
    readonly JobEventRelay _relayObject;
    readonly Lazy<IJobObserver> _relay;
    readonly ILogger<OrleansJobService> _log;
    Dictionary<string, long> _counts = JobStatus.All.ToDictionary(s => s, _ => 0L);

    public string DataFolder { get; }

    /// <summary>The silo's address, the first part of its workers' ids.</summary>
    public SiloAddress Silo { get; }

    public OrleansJobService(IGrainFactory grains, ILocalSiloDetails silo, JobEvents events, ServerOptions options, ILogger<OrleansJobService> log)
    {
        _grains = grains;
        _events = events;
        _log = log;
        Silo = silo.SiloAddress;
        DataFolder = Path.GetFullPath(options.Data);
        // Created at the first stream: the API's services are built before the silo runs, and a reference needs it running.
        _relayObject = new JobEventRelay(events);
        _relay = new Lazy<IJobObserver>(() => grains.CreateObjectReference<IJobObserver>(_relayObject));
    }

    IDispatcherGrain Dispatcher => _grains.GetGrain<IDispatcherGrain>(0);

    IJobGrain Job(string id) => _grains.GetGrain<IJobGrain>(id);

    IOwnerGrain Owner(string owner) => _grains.GetGrain<IOwnerGrain>(owner);

    /// <summary>The cluster id of a device of this silo.</summary>
    string WorkerId(string device) => WorkerIds.Of(Silo, device);

    static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>How long a read waits for a job whose grain was on a silo that died and is not yet declared dead.</summary>
    static readonly TimeSpan ReadPatience = TimeSpan.FromSeconds(20);

    public async Task<VideoJob?> GetAsync(string id, string? owner)
    {
        var job = await ReadAsync(() => Job(id).Get()).ConfigureAwait(false);
        return job is not null && (owner is null || job.Owner == owner) ? job : null;
    }

    /// <summary>
    /// A call retried while its grain's silo is unreachable (until the cluster declares it dead and the grain lives
    /// elsewhere): for reads, and for reports that the grains accept twice.
    /// </summary>
    static async Task<T> ReadAsync<T>(Func<Task<T>> read)
    {
        var deadline = DateTime.UtcNow + ReadPatience;
        while (true)
        {
            try
            {
                return await read().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250).ConfigureAwait(false);
            }
        }
    }

    public async Task<(List<VideoJob> Jobs, bool HasMore)?> ListAsync(string owner, string? after, int limit, bool descending)
    {
        if (await ReadAsync(() => Owner(owner).Page(after, limit, descending)).ConfigureAwait(false) is not { } page) return null;
        var jobs = await Task.WhenAll(page.Ids.Select(id => ReadAsync(() => Job(id).Get()))).ConfigureAwait(false);
        return (jobs.OfType<VideoJob>().ToList(), page.HasMore);
    }

    public async Task<bool> TryEnqueueAsync(VideoJob job, int maxQueue)
    {
        // Listed before it is queued: a job that runs is always in its owner's list.
        await Job(job.Id).Create(job).ConfigureAwait(false);
        await Owner(job.Owner).Add(job.Id).ConfigureAwait(false);
        if (await Dispatcher.Enqueue(job.Id, job.Model, maxQueue).ConfigureAwait(false)) return true;
        await Owner(job.Owner).Remove(job.Id).ConfigureAwait(false);
        await Job(job.Id).Delete(job.Owner).ConfigureAwait(false);
        return false;
    }

    public async Task<VideoJob?> DeleteAsync(string id, string owner)
    {
        var job = await Job(id).Delete(owner).ConfigureAwait(false);
        if (job is not null)
        {
            await Dispatcher.Forget(id).ConfigureAwait(false);
            await Owner(owner).Remove(id).ConfigureAwait(false);
        }
        return job;
    }

    public async Task<VideoJob?> CancelAsync(string id)
    {
        await Job(id).Fail(null, "cancelled", "cancelled by request", Now).ConfigureAwait(false);
        // The worker running it learns it at its next progress report and stops; the dispatcher hears of it from the worker.
        return await Job(id).Get().ConfigureAwait(false);
    }

    public JobEvents.Subscription Watch(string id)
    {
        var subscription = _events.Watch(id);
        Job(id).Watch(_relay.Value).ContinueWith(t => _log.LogWarning("job {JobId}: its events cannot be followed from this silo: {Error}", id, t.Exception!.GetBaseException().Message),
            TaskContinuationOptions.OnlyOnFaulted);
        return subscription;
    }

    public Dictionary<string, long> CountByStatus()
    {
        // Metrics callbacks run outside any grain and must not block: they read the counts of the previous call.
        var counts = Dispatcher.Counts();
        counts.ContinueWith(t => _counts = t.Result, TaskContinuationOptions.OnlyOnRanToCompletion);
        return _counts;
    }

    /// <summary>Nothing to do at start: jobs of silos that died are taken back by the dispatcher once membership declares them dead.</summary>
    public Task<(int Requeued, int Failed)> RecoverAsync(int maxAttempts) => Task.FromResult((0, 0));

    public Task<VideoJob?> ClaimAsync(string worker, IReadOnlyCollection<string> loaded) => Dispatcher.Next(WorkerId(worker), loaded.ToArray());

    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancel) => await _events.WaitQueuedAsync(timeout, cancel).ConfigureAwait(false);

    public async ValueTask<bool> ReportProgressAsync(string id, string worker, int progress, string? stage, int step, int steps) =>
        await Job(id).Progress(WorkerId(worker), progress, stage, step, steps).ConfigureAwait(false);

    // A job's result is reported until it arrives (each report may be repeated: the grains accept a repeat), so a
    // silo that dies while a result is on its way does not leave the job in progress for ever.

    public async Task<bool> CompleteAsync(string id, string worker, string output, string? thumbnail, long now, long expiresAt)
    {
        bool completed = await ReadAsync(() => Job(id).Complete(WorkerId(worker), output, thumbnail, now, expiresAt)).ConfigureAwait(false);
        await ReadAsync(async () =>
        {
            await Dispatcher.Ended(id, WorkerId(worker), completed ? JobStatus.Completed : JobStatus.Failed, completed ? expiresAt : null).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
        return completed;
    }

    public async Task FailAsync(string id, string worker, string code, string message)
    {
        await ReadAsync(() => Job(id).Fail(WorkerId(worker), code, message, Now)).ConfigureAwait(false);
        await ReadAsync(async () =>
        {
            await Dispatcher.Ended(id, WorkerId(worker), JobStatus.Failed, null).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    public async Task RequeueAsync(string id, string worker)
    {
        if (await ReadAsync(() => Job(id).TakeBack(WorkerId(worker), true, int.MaxValue, Now)).ConfigureAwait(false))
            await ReadAsync(async () =>
            {
                await Dispatcher.Stopped(id, WorkerId(worker)).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        else _log.LogWarning("job {JobId} was no longer {Worker}'s when it stopped", id, worker);
    }

    /// <summary>How many expired jobs one sweep of one silo takes on.</summary>
    const int SweepBatch = 100;

    public async Task<IReadOnlyList<VideoJob>> ExpiredAsync(long now)
    {
        var ids = await Dispatcher.Expired(now, SweepBatch).ConfigureAwait(false);
        var jobs = await Task.WhenAll(ids.Select(id => Job(id).Get())).ConfigureAwait(false);
        // Jobs deleted or already swept (by another silo) only need their entry gone.
        var done = ids.Where((id, i) => jobs[i] is not { Status: JobStatus.Completed, Output: not null }).ToArray();
        if (done.Length > 0) await Dispatcher.Swept(done).ConfigureAwait(false);
        return jobs.Where(j => j is { Status: JobStatus.Completed, Output: not null }).Select(j => j!).ToList();
    }

    public async Task ClearOutputsAsync(string id)
    {
        await Job(id).ClearOutputs().ConfigureAwait(false);
        await Dispatcher.Swept(new[] { id }).ConfigureAwait(false);
    }
}
