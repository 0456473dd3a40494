using System.Diagnostics.Metrics;
using System.Net;
using FastVideo.Onnx.Server.Telemetry;
using FastVideo.Onnx.Server.Tests.Support;

namespace FastVideo.Onnx.Server.Tests;

/// <summary>The expiry sweep (outputs removed at expires_at, the job still listed) and the OpenTelemetry instruments.</summary>
[NonParallelizable]
public class ExpiryAndMetricsTests
{
    [Test]
    public async Task Outputs_are_removed_at_expires_at_and_the_content_is_then_404()
    {
        await using var server = await TestServer.StartAsync(o => o with { ExpirySeconds = 5, SweepSeconds = 1 });
        string id = (await Calls.CreateAsync(server.Http, Calls.TinyJob())).GetProperty("id").GetString()!;
        var done = await Calls.WaitFinalAsync(server.Http, id);
        Assert.That(done.GetProperty("expires_at").GetInt64() - done.GetProperty("completed_at").GetInt64(), Is.EqualTo(5));
        // Five seconds leave time to see both files before the sweep removes them, even on a loaded machine.
        var files = Directory.GetFiles(Path.Combine(server.Data, "videos"), id + ".*");
        Assert.That(files, Has.Length.EqualTo(2));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        HttpStatusCode status = HttpStatusCode.OK;
        while (DateTime.UtcNow < deadline && status == HttpStatusCode.OK)
        {
            using var content = await server.Http.GetAsync($"/v1/videos/{id}/content");
            status = content.StatusCode;
            if (status != HttpStatusCode.OK) await Calls.AssertErrorAsync(content, 404, code: "content_expired");
            else await Task.Delay(200);
        }
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), "expired within 30 s");
        Assert.That(files.Where(File.Exists), Is.Empty, "the files are gone");
        var after = await Calls.GetAsync(server.Http, $"/v1/videos/{id}");
        Assert.That(after.GetProperty("status").GetString(), Is.EqualTo("completed"));
        Assert.That(after.GetProperty("content_available").GetBoolean(), Is.False);
    }

    [Test]
    public async Task Metrics_report_queue_length_jobs_by_status_and_job_and_stage_durations()
    {
        var measured = new List<(string Name, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ServerMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var t in tags) copy[t.Key] = t.Value;
            lock (measured) measured.Add((instrument.Name, value, copy));
        }
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        await using var server = await TestServer.StartAsync();
        string id = (await Calls.CreateAsync(server.Http, Calls.TinyJob(steps: 2))).GetProperty("id").GetString()!;
        await Calls.WaitFinalAsync(server.Http, id);
        listener.RecordObservableInstruments();

        List<(string Name, double Value, Dictionary<string, object?> Tags)> seen;
        lock (measured) seen = measured.ToList();
        Assert.That(seen.Any(m => m.Name == "fastvideo.queue.length" && m.Value == 0), Is.True);
        Assert.That(seen.Any(m => m.Name == "fastvideo.jobs" && Equals(m.Tags["status"], "completed") && m.Value >= 1), Is.True);
        Assert.That(seen.Any(m => m.Name == "fastvideo.job.duration" && Equals(m.Tags["status"], "completed") && m.Value > 0), Is.True);
        Assert.That(seen.Any(m => m.Name == "fastvideo.stage.duration" && Equals(m.Tags["stage"], "denoising")), Is.True);
    }
}
