using FastVideo.Onnx.Server.Jobs;

namespace FastVideo.Onnx.Server.Cluster;

/// <inheritdoc cref="IJobGrain"/>
internal sealed class JobGrain([PersistentState("job", ClusterSilo.Storage)] IPersistentState<JobGrainState> state, ILogger<JobGrain> log) : Grain, IJobGrain
{
    readonly HashSet<IJobObserver> _observers = new();

    VideoJob? Job => state.State.Job;

    async Task SaveAsync(VideoJob? job)
    {
        state.State.Job = job;
        await state.WriteStateAsync().ConfigureAwait(true);
    }

    void Notify(JobEvent e)
    {
        foreach (var observer in _observers.ToList())
        {
            try
            {
                _ = observer.OnEvent(e);
            }
            catch (Exception failure) when (failure is OrleansException or InvalidOperationException)
            {
                log.LogWarning("job {JobId}: an event stream's silo cannot be reached: {Error}", e.JobId, failure.Message);
                _observers.Remove(observer);
            }
        }
    }

    void NotifyEnd(VideoJob job) => Notify(new JobEvent(job.Status == JobStatus.Completed ? JobEvent.CompletedKind : JobEvent.FailedKind, job.Id, job.Progress, null, 0, 0));

    public Task Create(VideoJob job) => SaveAsync(job);

    public Task<VideoJob?> Get() => Task.FromResult(Job);

    public async Task<VideoJob?> Claim(string worker, long now)
    {
        // Only the dispatcher claims, and only jobs in its queue: a job in progress here whose claim the dispatcher
        // never saw answered (the answer was lost with a silo) was never run, so the new claim replaces it.
        if (Job is not { Status: JobStatus.Queued or JobStatus.InProgress } job) return null;
        var claimed = job with { Status = JobStatus.InProgress, Attempts = job.Attempts + 1, StartedAt = now, Worker = worker, Progress = 0, Stage = null };
        await SaveAsync(claimed).ConfigureAwait(true);
        return claimed;
    }

    public Task<bool> Progress(string worker, int progress, string? stage, int step, int steps)
    {
        if (Job is not { Status: JobStatus.InProgress } job || job.Worker != worker) return Task.FromResult(false);
        // Progress is kept in memory only: it changes often, and a job taken over starts again from 0 anyway.
        state.State.Job = job with { Progress = Math.Max(job.Progress, progress), Stage = stage };
        Notify(new JobEvent(JobEvent.ProgressKind, job.Id, progress, stage, step, steps));
        return Task.FromResult(true);
    }

    public async Task<bool> Complete(string worker, string output, string? thumbnail, long now, long expiresAt)
    {
        // The same report again (its first answer was lost): it was accepted.
        if (Job is { Status: JobStatus.Completed } finished && finished.Worker == worker && finished.Output == output) return true;
        if (Job is not { Status: JobStatus.InProgress } job || job.Worker != worker) return false;
        var done = job with { Status = JobStatus.Completed, Progress = 100, Stage = null, CompletedAt = now, ExpiresAt = expiresAt, Output = output, Thumbnail = thumbnail };
        await SaveAsync(done).ConfigureAwait(true);
        NotifyEnd(done);
        return true;
    }

    public async Task<bool> Fail(string? worker, string code, string message, long now)
    {
        if (Job is not { Status: JobStatus.Queued or JobStatus.InProgress } job || (worker is not null && job.Worker != worker)) return false;
        var failed = job with { Status = JobStatus.Failed, Stage = null, CompletedAt = now, ErrorCode = code, ErrorMessage = message };
        await SaveAsync(failed).ConfigureAwait(true);
        NotifyEnd(failed);
        return true;
    }

    public async Task<bool> TakeBack(string worker, bool stopped, int maxAttempts, long now)
    {
        if (Job is not { Status: JobStatus.InProgress } job || job.Worker != worker) return false;
        if (!stopped && job.Attempts >= maxAttempts)
        {
            await Fail(worker, "interrupted", $"the worker running this job stopped, {job.Attempts} times; it is not tried again", now).ConfigureAwait(true);
            return false;
        }
        var queued = job with { Status = JobStatus.Queued, Progress = 0, Stage = null, StartedAt = null, Worker = null, Attempts = stopped ? Math.Max(job.Attempts - 1, 0) : job.Attempts };
        await SaveAsync(queued).ConfigureAwait(true);
        log.LogWarning("job {JobId} taken back from {Worker} and queued again", job.Id, worker);
        Notify(new JobEvent(JobEvent.ProgressKind, job.Id, 0, null, 0, 0));
        return true;
    }

    public async Task<VideoJob?> Delete(string owner)
    {
        if (Job is not { } job || job.Owner != owner) return null;
        state.State.Job = null;
        await state.ClearStateAsync().ConfigureAwait(true);
        Notify(new JobEvent(JobEvent.FailedKind, job.Id, job.Progress, null, 0, 0));
        return job;
    }

    public async Task ClearOutputs()
    {
        if (Job is { Status: JobStatus.Completed, Output: not null } job) await SaveAsync(job with { Output = null, Thumbnail = null }).ConfigureAwait(true);
    }

    public Task Watch(IJobObserver observer)
    {
        _observers.Add(observer);
        return Task.CompletedTask;
    }

    public Task Unwatch(IJobObserver observer)
    {
        _observers.Remove(observer);
        return Task.CompletedTask;
    }
}
