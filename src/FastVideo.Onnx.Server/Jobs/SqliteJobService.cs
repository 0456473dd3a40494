namespace FastVideo.Onnx.Server.Jobs;

/// <summary>The jobs of one process: the SQLite <see cref="JobStore"/> and in-memory events.</summary>
internal sealed class SqliteJobService(JobStore store, JobEvents events) : IJobService
{
    public string DataFolder => store.DataFolder;

    static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public Task<VideoJob?> GetAsync(string id, string? owner) => Task.FromResult(owner is null ? store.Get(id) : store.Get(id, owner));

    public Task<(List<VideoJob> Jobs, bool HasMore)?> ListAsync(string owner, string? after, int limit, bool descending) =>
        Task.FromResult(store.List(owner, after, limit, descending));

    public Task<bool> TryEnqueueAsync(VideoJob job, int maxQueue)
    {
        bool queued = store.TryEnqueue(job, maxQueue);
        if (queued) events.Queued();
        return Task.FromResult(queued);
    }

    public Task<VideoJob?> DeleteAsync(string id, string owner)
    {
        var job = store.Delete(id, owner);
        if (job is not null) events.Publish(new JobEvent(JobEvent.FailedKind, job.Id, job.Progress, null, 0, 0));
        return Task.FromResult(job);
    }

    public Task<VideoJob?> CancelAsync(string id)
    {
        store.Fail(id, "cancelled", "cancelled by request", Now);
        var job = store.Get(id);
        if (job is not null) events.Publish(new JobEvent(JobEvent.FailedKind, id, job.Progress, null, 0, 0));
        return Task.FromResult(job);
    }

    public JobEvents.Subscription Watch(string id) => events.Watch(id);

    public Dictionary<string, long> CountByStatus() => store.CountByStatus();

    public Task<(int Requeued, int Failed)> RecoverAsync(int maxAttempts) => Task.FromResult(store.RecoverInterrupted(maxAttempts, Now));

    public Task<VideoJob?> ClaimAsync(string worker, IReadOnlyCollection<string> loaded) => Task.FromResult(store.Claim(worker, loaded, loaded, Now));

    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancel) => await events.WaitQueuedAsync(timeout, cancel).ConfigureAwait(false);

    public ValueTask<bool> ReportProgressAsync(string id, string worker, int progress, string? stage, int step, int steps)
    {
        store.SetProgress(id, progress, stage);
        events.Publish(new JobEvent(JobEvent.ProgressKind, id, progress, stage, step, steps));
        // In one process a cancellation reaches the worker directly (WorkerPool.Cancel).
        return ValueTask.FromResult(true);
    }

    public Task<bool> CompleteAsync(string id, string worker, string output, string? thumbnail, long now, long expiresAt)
    {
        bool completed = store.Complete(id, output, thumbnail, now, expiresAt);
        events.Publish(new JobEvent(completed ? JobEvent.CompletedKind : JobEvent.FailedKind, id, completed ? 100 : 0, null, 0, 0));
        return Task.FromResult(completed);
    }

    public Task FailAsync(string id, string worker, string code, string message)
    {
        store.Fail(id, code, message, Now);
        events.Publish(new JobEvent(JobEvent.FailedKind, id, 0, null, 0, 0));
        return Task.CompletedTask;
    }

    public Task RequeueAsync(string id, string worker)
    {
        store.Requeue(id);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<VideoJob>> ExpiredAsync(long now) => Task.FromResult<IReadOnlyList<VideoJob>>(store.Expired(now));

    public Task ClearOutputsAsync(string id)
    {
        store.ClearOutputs(id);
        return Task.CompletedTask;
    }
}
