using System.Diagnostics.Metrics;
using FastVideo.Onnx.Server.Jobs;

namespace FastVideo.Onnx.Server.Telemetry;

/// <summary>
/// The server's OpenTelemetry instruments (meter <see cref="MeterName"/>): queue length, jobs by status, job and stage
/// durations, and GPU memory per worker (from the observable callbacks the workers register).
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "FastVideo.Onnx.Server";

    readonly Meter _meter = new(MeterName);
    readonly Histogram<double> _jobSeconds;
    readonly Histogram<double> _stageSeconds;
    readonly List<(string Worker, Func<long> Used)> _gpu = new();

    public ServerMetrics(IJobService store)
    {
        _meter.CreateObservableGauge("fastvideo.queue.length", () => store.CountByStatus()[JobStatus.Queued], "{job}", "Jobs waiting for a worker");
        _meter.CreateObservableGauge("fastvideo.jobs", () => store.CountByStatus().Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("status", p.Key))),
            "{job}", "Jobs by status");
        _meter.CreateObservableGauge("fastvideo.worker.gpu.memory", () =>
        {
            lock (_gpu) return _gpu.Select(g => (Worker: g.Worker, Bytes: g.Used())).Where(g => g.Bytes >= 0)
                .Select(g => new Measurement<long>(g.Bytes, new KeyValuePair<string, object?>("worker", g.Worker))).ToList();
        }, "By", "GPU memory in use on each worker's device");
        _jobSeconds = _meter.CreateHistogram<double>("fastvideo.job.duration", "s", "Time from a job's start on a worker to its end");
        _stageSeconds = _meter.CreateHistogram<double>("fastvideo.stage.duration", "s", "Time of each pipeline stage");
    }

    public void AddGpuWorker(string worker, Func<long> usedBytes)
    {
        lock (_gpu) _gpu.Add((worker, usedBytes));
    }

    public void JobEnded(string model, string status, TimeSpan elapsed) =>
        _jobSeconds.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("status", status));

    public void StageEnded(string model, string stage, TimeSpan elapsed) =>
        _stageSeconds.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("stage", stage));

    public void Dispose() => _meter.Dispose();
}
