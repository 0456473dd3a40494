using FastVideo.Onnx.Server.Jobs;
using FastVideo.Onnx.Server.Workers;
using Orleans.Runtime;

namespace FastVideo.Onnx.Server.Cluster;

/// <inheritdoc cref="IDispatcherGrain"/>
internal sealed class DispatcherGrain(
    [PersistentState("dispatcher", ClusterSilo.Storage)] IPersistentState<DispatcherState> state,
    IClusterMembershipService membership,
    ILogger<DispatcherGrain> log) : Grain, IDispatcherGrain
{
    /// <summary>Workers seen since this activation: whether they wait for work, their models, the model they ran last.</summary>
    readonly Dictionary<string, (bool Idle, string[] Loaded, string? Warm)> _workers = new(StringComparer.Ordinal);

    DispatcherState S => state.State;

    static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(TakeBackFromDeadSilosAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { KeepAlive = true });
        return Task.CompletedTask;
    }

    Task SaveAsync() => state.WriteStateAsync();

    public async Task<bool> Enqueue(string id, string model, int maxQueue)
    {
        if (S.Queue.Count >= maxQueue) return false;
        var entry = new DispatchEntry(S.NextSeq++, id, model);
        S.Queue.Add(entry);
        await SaveAsync().ConfigureAwait(true);
        WakeOne(model);
        return true;
    }

    /// <summary>Wakes an idle worker with <paramref name="model"/> loaded, the one that ran it last first; busy workers ask again when they finish.</summary>
    void WakeOne(string model)
    {
        var idle = _workers.Where(w => w.Value.Idle && w.Value.Loaded.Contains(model)).OrderByDescending(w => w.Value.Warm == model).Select(w => w.Key).FirstOrDefault();
        if (idle is null) return;
        _workers[idle] = _workers[idle] with { Idle = false };
        GrainFactory.GetGrain<IWorkerGrain>(idle).Wake().Ignore();
    }

    public async Task<VideoJob?> Next(string worker, string[] loaded)
    {
        _workers.TryGetValue(worker, out var known);
        bool changed = false;
        try
        {
            for (int i = 0; i < S.Queue.Count; i++)
            {
                var entry = S.Queue[i];
                if (!loaded.Contains(entry.Model)) continue;
                S.Queue.RemoveAt(i);
                i--;
                changed = true;
                VideoJob? job;
                try
                {
                    job = await GrainFactory.GetGrain<IJobGrain>(entry.Id).Claim(worker, Now).ConfigureAwait(true);
                }
                catch
                {
                    // The job's grain could not be reached (its silo is dying): the job stays queued, in its place.
                    Requeue(entry);
                    throw;
                }
                if (job is null) continue; // cancelled or deleted while it waited
                S.Running[entry.Id] = entry with { Worker = worker };
                _workers[worker] = (false, loaded, entry.Model);
                return job;
            }
            _workers[worker] = (true, loaded, known.Warm);
            return null;
        }
        finally
        {
            if (changed) await SaveAsync().ConfigureAwait(true);
        }
    }

    public async Task Ended(string id, string worker, string status, long? expiresAt)
    {
        // A worker whose job was taken over reports too: only the job's current worker ends it.
        if (!S.Running.TryGetValue(id, out var entry) || entry.Worker != worker) return;
        S.Running.Remove(id);
        if (status == JobStatus.Completed)
        {
            S.Completed++;
            if (expiresAt is { } at) S.Expiring[id] = at;
        }
        else S.Failed++;
        await SaveAsync().ConfigureAwait(true);
    }

    public Task<string[]> Expired(long now, int limit) =>
        Task.FromResult(S.Expiring.Where(e => e.Value <= now).OrderBy(e => e.Value).Take(limit).Select(e => e.Key).ToArray());

    public async Task Swept(string[] ids)
    {
        int removed = ids.Count(S.Expiring.Remove);
        if (removed > 0) await SaveAsync().ConfigureAwait(true);
    }

    public async Task Stopped(string id, string worker)
    {
        if (!S.Running.TryGetValue(id, out var entry) || entry.Worker != worker) return;
        S.Running.Remove(id);
        Requeue(entry);
        await SaveAsync().ConfigureAwait(true);
        WakeOne(entry.Model);
    }

    void Requeue(DispatchEntry entry)
    {
        int at = S.Queue.FindIndex(e => e.Seq > entry.Seq);
        S.Queue.Insert(at < 0 ? S.Queue.Count : at, entry with { Worker = null });
    }

    public async Task Forget(string id)
    {
        int removed = S.Queue.RemoveAll(e => e.Id == id);
        if (S.Running.Remove(id)) removed++;
        if (S.Expiring.Remove(id)) removed++;
        if (removed > 0) await SaveAsync().ConfigureAwait(true);
    }

    public Task<Dictionary<string, long>> Counts() => Task.FromResult(new Dictionary<string, long>
    {
        [JobStatus.Queued] = S.Queue.Count,
        [JobStatus.InProgress] = S.Running.Count,
        [JobStatus.Completed] = S.Completed,
        [JobStatus.Failed] = S.Failed,
    });

    /// <summary>
    /// Jobs whose worker's silo is declared dead go back to the queue (or fail after the last attempt). The job grain
    /// accepts a result only from the job's current worker, so a silo wrongly declared dead cannot complete it twice.
    /// </summary>
    async Task TakeBackFromDeadSilosAsync(CancellationToken cancel)
    {
        var snapshot = membership.CurrentSnapshot;
        foreach (var w in _workers.Keys.Where(w => snapshot.GetSiloStatus(WorkerIds.SiloOf(w)) == SiloStatus.Dead).ToList()) _workers.Remove(w);
        var lost = S.Running.Values.Where(e => snapshot.GetSiloStatus(WorkerIds.SiloOf(e.Worker!)) == SiloStatus.Dead).ToList();
        if (lost.Count == 0) return;
        foreach (var entry in lost)
        {
            bool queued = await GrainFactory.GetGrain<IJobGrain>(entry.Id).TakeBack(entry.Worker!, false, WorkerPool.MaxAttempts, Now).ConfigureAwait(true);
            S.Running.Remove(entry.Id);
            if (queued) Requeue(entry);
            log.LogWarning("job {JobId}: its worker {Worker} is on a dead silo; {Outcome}", entry.Id, entry.Worker, queued ? "queued again" : "not queued again");
        }
        await SaveAsync().ConfigureAwait(true);
        foreach (var entry in lost) WakeOne(entry.Model);
    }
}
