namespace FastVideo.Onnx.Server.Jobs;

/// <summary>
/// The jobs as the API and the device workers see them: one implementation over the SQLite store of one process,
/// one over the grains of an Orleans cluster. Every method that changes a job also publishes its event to the job's
/// watchers, wherever they are connected.
/// </summary>
internal interface IJobService
{
    /// <summary>The folder that outputs and uploads are stored under (shared by every silo of a cluster).</summary>
    string DataFolder { get; }

    /// <summary>A job of <paramref name="owner"/>; any owner's when <paramref name="owner"/> is null.</summary>
    Task<VideoJob?> GetAsync(string id, string? owner);

    /// <summary>A page of the owner's jobs after the job <paramref name="after"/>; null when that job is not the owner's.</summary>
    Task<(List<VideoJob> Jobs, bool HasMore)?> ListAsync(string owner, string? after, int limit, bool descending);

    /// <summary>Queues a new job; false when <paramref name="maxQueue"/> jobs are already waiting.</summary>
    Task<bool> TryEnqueueAsync(VideoJob job, int maxQueue);

    /// <summary>Removes the owner's job; the removed job (to delete its files) or null when there is no such job.</summary>
    Task<VideoJob?> DeleteAsync(string id, string owner);

    /// <summary>Fails a queued or running job with code "cancelled"; the job as it is afterwards.</summary>
    Task<VideoJob?> CancelAsync(string id);

    /// <summary>Follows a job's events (progress and its end) from this process.</summary>
    JobEvents.Subscription Watch(string id);

    /// <summary>Jobs by status, for the metrics (a recent count is enough).</summary>
    Dictionary<string, long> CountByStatus();

    /// <summary>At start: jobs that a stopped process left running run again (or fail after <paramref name="maxAttempts"/>).</summary>
    Task<(int Requeued, int Failed)> RecoverAsync(int maxAttempts);

    /// <summary>Hands <paramref name="worker"/> the oldest queued job of a model it has loaded, marked in progress.</summary>
    Task<VideoJob?> ClaimAsync(string worker, IReadOnlyCollection<string> loaded);

    /// <summary>Waits until a job may be waiting (a job was queued, or <paramref name="timeout"/> passed).</summary>
    Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancel);

    /// <summary>Stores and publishes a running job's progress; false when the job is no longer this worker's to run.</summary>
    ValueTask<bool> ReportProgressAsync(string id, string worker, int progress, string? stage, int step, int steps);

    /// <summary>Marks the worker's running job completed; false when it is no longer the worker's (cancelled, deleted, taken over).</summary>
    Task<bool> CompleteAsync(string id, string worker, string output, string? thumbnail, long now, long expiresAt);

    /// <summary>Fails the worker's running job.</summary>
    Task FailAsync(string id, string worker, string code, string message);

    /// <summary>Puts the worker's running job back in the queue without counting the attempt (it was stopped, not failed).</summary>
    Task RequeueAsync(string id, string worker);

    /// <summary>Completed jobs whose outputs are past their expires_at and not yet removed.</summary>
    Task<IReadOnlyList<VideoJob>> ExpiredAsync(long now);

    /// <summary>Forgets a job's outputs once their files are removed (the job stays listed; its content is then 404).</summary>
    Task ClearOutputsAsync(string id);
}
