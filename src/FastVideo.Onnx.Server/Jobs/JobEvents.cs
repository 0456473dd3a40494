using System.Collections.Concurrent;
using System.Threading.Channels;

namespace FastVideo.Onnx.Server.Jobs;

/// <summary>
/// Live events of running jobs, fanned out to the event streams watching them (in memory: a client that reconnects
/// reads the job's stored state first, then follows). Also wakes idle workers when a job is queued.
/// </summary>
internal sealed class JobEvents
{
    readonly ConcurrentDictionary<string, ConcurrentDictionary<Channel<JobEvent>, byte>> _watchers = new();
    readonly SemaphoreSlim _queued = new(0, int.MaxValue);

    /// <summary>How many progress events a slow stream may have pending before further ones are left out.</summary>
    public const int PendingProgressLimit = 256;

    public Subscription Watch(string jobId)
    {
        var channel = Channel.CreateUnbounded<JobEvent>();
        _watchers.GetOrAdd(jobId, _ => new()).TryAdd(channel, 0);
        return new Subscription(this, jobId, channel);
    }

    public void Publish(JobEvent e)
    {
        if (!_watchers.TryGetValue(e.JobId, out var set)) return;
        // A stream that falls behind loses progress events, never the end: events may be handed over out of order
        // (a cluster's messages are run as they come), so the end is not always the newest event to arrive.
        foreach (var channel in set.Keys)
            if (e.IsFinal || channel.Reader.Count < PendingProgressLimit) channel.Writer.TryWrite(e);
    }

    /// <summary>A job was queued (or put back): one waiting worker looks.</summary>
    public void Queued() => _queued.Release();

    /// <summary>Waits until a job is queued or <paramref name="timeout"/> passes (workers also poll, so nothing waits forever).</summary>
    public Task<bool> WaitQueuedAsync(TimeSpan timeout, CancellationToken cancel) => _queued.WaitAsync(timeout, cancel);

    void Unwatch(string jobId, Channel<JobEvent> channel)
    {
        if (_watchers.TryGetValue(jobId, out var set))
        {
            set.TryRemove(channel, out _);
            if (set.IsEmpty) _watchers.TryRemove(new KeyValuePair<string, ConcurrentDictionary<Channel<JobEvent>, byte>>(jobId, set));
        }
    }

    /// <summary>One stream's view of a job's events; dispose it to stop receiving them.</summary>
    public sealed class Subscription(JobEvents owner, string jobId, Channel<JobEvent> channel) : IDisposable
    {
        public ChannelReader<JobEvent> Reader => channel.Reader;

        public void Dispose() => owner.Unwatch(jobId, channel);
    }
}
