using FastVideo.Onnx.Server.Jobs;

namespace FastVideo.Onnx.Server.Cluster;

/// <summary>
/// One job, keyed by its video id: the video object's state, its attempts and the worker that runs it. Every change
/// is stored before it is answered; the job's worker is the only one whose progress and result are accepted.
/// </summary>
internal interface IJobGrain : IGrainWithStringKey
{
    Task Create(VideoJob job);

    Task<VideoJob?> Get();

    /// <summary>Queued to in progress for <paramref name="worker"/>, counting the attempt; null when the job is not queued.</summary>
    Task<VideoJob?> Claim(string worker, long now);

    /// <summary>False when the job is not running on <paramref name="worker"/>.</summary>
    Task<bool> Progress(string worker, int progress, string? stage, int step, int steps);

    Task<bool> Complete(string worker, string output, string? thumbnail, long now, long expiresAt);

    /// <summary>Fails a queued or running job (<paramref name="worker"/> null: whoever runs it); false when it had ended.</summary>
    Task<bool> Fail(string? worker, string code, string message, long now);

    /// <summary>
    /// Takes the job back from <paramref name="worker"/>: queued again (the attempt not counted when <paramref name="stopped"/>),
    /// or failed "interrupted" after <paramref name="maxAttempts"/>. True when it is queued again.
    /// </summary>
    Task<bool> TakeBack(string worker, bool stopped, int maxAttempts, long now);

    Task<VideoJob?> Delete(string owner);

    /// <summary>Forgets the outputs of a completed job (their files were removed at expiry).</summary>
    Task ClearOutputs();

    Task Watch(IJobObserver observer);

    Task Unwatch(IJobObserver observer);
}
