using System.Diagnostics;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Diagnostics;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Output;
using FastVideo.Onnx.Server.Api;
using FastVideo.Onnx.Server.Jobs;
using FastVideo.Onnx.Server.Telemetry;
using SkiaSharp;

namespace FastVideo.Onnx.Server.Workers;

/// <summary>
/// Runs jobs on one device, one at a time, with a generator per model loaded once and kept (warm sessions and device
/// buffers). It takes the oldest queued job of a model it has loaded; a job's cancellation stops it between steps.
/// </summary>
internal sealed class DeviceWorker : IDisposable
{
    readonly IReadOnlyList<ServedModel> _models;
    readonly IJobService _jobs;
    readonly ServerMetrics _metrics;
    readonly ServerOptions _options;
    readonly ILogger _log;
    readonly Dictionary<string, VideoGenerator> _loaded = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _loadErrors = new(StringComparer.Ordinal);
    readonly Lock _lock = new();
    (string JobId, CancellationTokenSource Cancel)? _running;
    volatile bool _abandoned;

    public string Name { get; }
    public RuntimeOptions Runtime { get; }

    /// <summary>True once every model has been loaded (or failed to load: see <see cref="LoadErrors"/>).</summary>
    public bool Ready { get; private set; }

    public IReadOnlyDictionary<string, string> LoadErrors
    {
        get
        {
            lock (_lock) return new Dictionary<string, string>(_loadErrors);
        }
    }

    public IReadOnlyCollection<string> LoadedModels
    {
        get
        {
            lock (_lock) return _loaded.Keys.ToList();
        }
    }

    public DeviceWorker(string name, RuntimeOptions runtime, IReadOnlyList<ServedModel> models, IJobService jobs, ServerMetrics metrics,
        ServerOptions options, ILogger log)
    {
        Name = name;
        Runtime = runtime;
        _models = models;
        _jobs = jobs;
        _metrics = metrics;
        _options = options;
        _log = log;
        if (runtime.Device != ExecutionProvider.Cpu) metrics.AddGpuWorker(name, () => GpuMemoryMonitor.Used(runtime.DeviceId));
    }

    /// <summary>Stops the job <paramref name="jobId"/> if this worker runs it.</summary>
    public bool TryCancel(string jobId)
    {
        lock (_lock)
        {
            if (_running is not { } r || r.JobId != jobId) return false;
            r.Cancel.Cancel();
            return true;
        }
    }

    /// <summary>A hard stop: a job stopped from now on is left as it is (the cluster takes it back when this silo is declared dead).</summary>
    public void Abandon() => _abandoned = true;

    public string? RunningJob
    {
        get
        {
            lock (_lock) return _running?.JobId;
        }
    }

    /// <summary>
    /// Loads the models, then takes and runs jobs until <paramref name="stopTaking"/>; a job still running when
    /// <paramref name="abortRunning"/> fires is stopped and queued again.
    /// </summary>
    public async Task RunAsync(CancellationToken stopTaking, CancellationToken abortRunning)
    {
        await Task.Yield();
        foreach (var model in _models)
        {
            if (stopTaking.IsCancellationRequested) break;
            try
            {
                var clock = Stopwatch.StartNew();
                var generator = await Task.Run(() => VideoGenerator.FromPretrained(model.Folder, new GeneratorOptions
                {
                    Runtime = Runtime,
                    Notice = message => _log.LogInformation("{Worker} {Model}: {Notice}", Name, model.Name, message),
                }), CancellationToken.None).ConfigureAwait(false);
                lock (_lock) _loaded[model.Name] = generator;
                _log.LogInformation("{Worker} loaded {Model} ({Pipeline} on {Provider}) in {Seconds:F1} s", Name, model.Name, generator.PipelineClass,
                    generator.Provider.Name(), clock.Elapsed.TotalSeconds);
            }
            catch (Exception e) when (e is FastVideoException or IOException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or DllNotFoundException)
            {
                lock (_lock) _loadErrors[model.Name] = FastVideoException.FirstLine(e.Message);
                _log.LogError("{Worker} could not load {Model}: {Error}", Name, model.Name, FastVideoException.FirstLine(e.Message));
            }
        }
        Ready = true;
        while (!stopTaking.IsCancellationRequested)
        {
            var loaded = LoadedModels;
            VideoJob? job;
            try
            {
                job = await _jobs.ClaimAsync(Name, loaded).ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransient(e))
            {
                // A cluster that is reconfiguring (a silo joined or died): ask again shortly.
                _log.LogWarning("{Worker} could not ask for a job: {Error}", Name, FastVideoException.FirstLine(e.Message));
                job = null;
            }
            if (job is null)
            {
                try
                {
                    await _jobs.WaitForWorkAsync(TimeSpan.FromSeconds(1), stopTaking).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                continue;
            }
            await RunJobAsync(job, abortRunning).ConfigureAwait(false);
        }
    }

    async Task RunJobAsync(VideoJob job, CancellationToken abortRunning)
    {
        using var scope = _log.BeginScope("job {JobId} ({Model} on {Worker})", job.Id, job.Model, Name);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(abortRunning);
        lock (_lock) _running = (job.Id, cancel);
        var clock = Stopwatch.StartNew();
        string status = JobStatus.Failed;
        _log.LogInformation("job {JobId} started on {Worker} (attempt {Attempt})", job.Id, Name, job.Attempts);
        try
        {
            // Cancelled or deleted between the claim and now: nothing to run.
            if ((await _jobs.GetAsync(job.Id, null).ConfigureAwait(false))?.Status != JobStatus.InProgress) return;
            VideoGenerator generator;
            lock (_lock) generator = _loaded[job.Model];
            var progress = new JobProgress(job.Id, Name, _jobs, cancel);
            string? image = job.Spec.Image is null ? null : Path.Combine(_jobs.DataFolder, job.Spec.Image);
            var result = await generator.GenerateAsync(VideoRequestBuilder.ToRequest(job.Spec, image), progress, cancel.Token).ConfigureAwait(false);
            cancel.Token.ThrowIfCancellationRequested();
            progress.WritingOutput();
            var (video, thumbnail) = WriteOutputs(job.Id, result);
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            if (await _jobs.CompleteAsync(job.Id, Name, video, thumbnail, now, now + _options.ExpirySeconds).ConfigureAwait(false))
            {
                status = JobStatus.Completed;
                foreach (var timing in result.Timings) _metrics.StageEnded(job.Model, timing.Stage, timing.Elapsed);
                _log.LogInformation("job {JobId} completed in {Seconds:F2} s: {Output}", job.Id, clock.Elapsed.TotalSeconds, video);
            }
            else
            {
                // Cancelled or deleted while the output was written: the output has no job any more, unless another
                // worker took the job over and completed it (the same file under the same id, written atomically).
                var now2 = await _jobs.GetAsync(job.Id, null).ConfigureAwait(false);
                if (now2 is null || now2.Status != JobStatus.Completed) JobFiles.Delete(_jobs.DataFolder, video, thumbnail);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            if (_abandoned)
            {
                status = JobStatus.Queued;
                _log.LogWarning("job {JobId} abandoned by a hard stop", job.Id);
            }
            else if (abortRunning.IsCancellationRequested)
            {
                status = JobStatus.Queued;
                await Ignoring(() => _jobs.RequeueAsync(job.Id, Name)).ConfigureAwait(false);
                _log.LogWarning("job {JobId} stopped by shutdown; queued again", job.Id);
            }
            else
            {
                await Ignoring(() => _jobs.FailAsync(job.Id, Name, "cancelled", "cancelled by request")).ConfigureAwait(false);
                _log.LogInformation("job {JobId} cancelled", job.Id);
            }
        }
        catch (Exception e) when (IsTransient(e))
        {
            // The cluster could not be reached to report the result: the job is taken back from this worker when its
            // silo is declared dead, or stays this worker's and is reported by nobody; log it loudly.
            _log.LogError("job {JobId}: the result could not be reported: {Error}", job.Id, FastVideoException.FirstLine(e.Message));
        }
        catch (Exception e) when (e is FastVideoException or IOException or UnauthorizedAccessException)
        {
            await FailAsync(job, e is InvalidRequestException ? "invalid_request" : "generation_failed", FastVideoException.FirstLine(e.Message)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or InvalidOperationException or ArgumentException or OutOfMemoryException)
        {
            _log.LogError(e, "job {JobId} failed", job.Id);
            await FailAsync(job, "generation_failed", $"{e.GetType().Name}: {FastVideoException.FirstLine(e.Message)}").ConfigureAwait(false);
        }
        finally
        {
            lock (_lock) _running = null;
            _metrics.JobEnded(job.Model, status, clock.Elapsed);
        }
    }

    async Task FailAsync(VideoJob job, string code, string message)
    {
        await Ignoring(() => _jobs.FailAsync(job.Id, Name, code, message)).ConfigureAwait(false);
        _log.LogWarning("job {JobId} failed ({Code}): {Message}", job.Id, code, message);
    }

    /// <summary>Errors of a cluster call (a silo gone, a timeout) that a worker outlives; never errors of a generation.</summary>
    static bool IsTransient(Exception e) => e is TimeoutException or Orleans.Runtime.OrleansException or Orleans.Runtime.SiloUnavailableException;

    async Task Ignoring(Func<Task> report)
    {
        try
        {
            await report().ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransient(e))
        {
            _log.LogWarning("{Worker}: a job's state could not be reported: {Error}", Name, FastVideoException.FirstLine(e.Message));
        }
    }

    /// <summary>The video (mp4 through ffmpeg, else Motion-JPEG AVI) and a JPEG of its first frame, each written atomically.</summary>
    (string Video, string? Thumbnail) WriteOutputs(string id, Runtime.Pipelines.GenerationResult result)
    {
        string folder = Path.Combine(_jobs.DataFolder, JobFiles.VideosFolder);
        Directory.CreateDirectory(folder);
        var written = VideoWriter.Write(Path.Combine(folder, id + ".mp4"), result.Latents, result.Video, result.Fps,
            notice => _log.LogInformation("{Notice}", notice));
        string video = Path.GetRelativePath(_jobs.DataFolder, written[0]);
        string? thumbnail = null;
        if (result.Video is { Frames: > 0 } frames)
        {
            string path = Path.Combine(folder, id + ".jpg");
            AtomicFile.Write(path, temp => File.WriteAllBytes(temp, FrameEncoder.Encode(frames, 0, SKEncodedImageFormat.Jpeg, 90)));
            thumbnail = Path.GetRelativePath(_jobs.DataFolder, path);
        }
        return (video, thumbnail);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var generator in _loaded.Values) generator.Dispose();
            _loaded.Clear();
        }
    }
}
