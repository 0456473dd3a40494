using FastVideo.Onnx.Server.Jobs;
using FastVideo.Onnx.Server.Telemetry;

namespace FastVideo.Onnx.Server.Workers;

/// <summary>
/// The device workers, started with the host. At start, jobs a previous process left running are queued again (or
/// failed after two attempts). On shutdown, no new job is taken; running ones may finish within the shutdown timeout,
/// then they are stopped and queued again for the next start.
/// </summary>
internal sealed class WorkerPool : IHostedService, IDisposable
{
    public const int MaxAttempts = 2;

    readonly List<DeviceWorker> _workers = new();
    readonly List<Task> _loops = new();
    readonly CancellationTokenSource _stopTaking = new();
    readonly CancellationTokenSource _abortRunning = new();
    readonly IJobService _jobs;
    readonly ServerOptions _options;
    readonly ILogger<WorkerPool> _log;

    public IReadOnlyList<DeviceWorker> Workers => _workers;

    public WorkerPool(IReadOnlyList<ServedModel> models, IJobService jobs, ServerMetrics metrics, ServerOptions options, ILoggerFactory logs)
    {
        _jobs = jobs;
        _options = options;
        _log = logs.CreateLogger<WorkerPool>();
        foreach (var (name, runtime) in DeviceList.Parse(options.Devices, options.Threads, options.DevicesPerWorker, options.Parallelism))
            _workers.Add(new DeviceWorker(name, runtime, models, jobs, metrics, options, logs.CreateLogger<DeviceWorker>()));
    }

    /// <summary>True when every worker has loaded its models.</summary>
    public bool Ready => _workers.All(w => w.Ready) && !_stopTaking.IsCancellationRequested;

    /// <summary>Models no worker could load, with the reason.</summary>
    public IEnumerable<string> LoadErrors => _workers.SelectMany(w => w.LoadErrors.Select(e => $"{w.Name} {e.Key}: {e.Value}"));

    /// <summary>False once every worker has finished loading and none could load <paramref name="model"/>: its jobs would never run.</summary>
    public bool CanServe(string model) => !_workers.All(w => w.Ready) || _workers.Any(w => w.LoadedModels.Contains(model));

    /// <summary>Signals the worker running <paramref name="jobId"/> to stop it.</summary>
    public void Cancel(string jobId)
    {
        foreach (var worker in _workers) worker.TryCancel(jobId);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (requeued, failed) = await _jobs.RecoverAsync(MaxAttempts).ConfigureAwait(false);
        if (requeued + failed > 0)
            _log.LogWarning("{Requeued} interrupted jobs queued again, {Failed} failed after {Max} attempts", requeued, failed, MaxAttempts);
        foreach (var worker in _workers) _loops.Add(worker.RunAsync(_stopTaking.Token, _abortRunning.Token));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopTaking.Cancel();
        var all = Task.WhenAll(_loops);
        // An already cancelled token is a hard stop (the host is being killed): running jobs are abandoned at once.
        if (cancellationToken.IsCancellationRequested)
        {
            foreach (var worker in _workers) worker.Abandon();
            _abortRunning.Cancel();
        }
        var grace = TimeSpan.FromSeconds(Math.Max(0, _options.ShutdownTimeoutSeconds));
        if (await Task.WhenAny(all, Task.Delay(grace, CancellationToken.None)).ConfigureAwait(false) != all)
        {
            _log.LogWarning("running jobs did not finish within {Seconds} s; stopping them (they run again at the next start)", grace.TotalSeconds);
            _abortRunning.Cancel();
        }
        try
        {
            await all.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        foreach (var worker in _workers) worker.Dispose();
        _stopTaking.Dispose();
        _abortRunning.Dispose();
    }
}
