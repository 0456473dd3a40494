using System.Diagnostics;
using FastVideo.Onnx.Server.Tests.Support;

namespace FastVideo.Onnx.Server.Tests;

/// <summary>
/// Concurrent clients on loopback, each creating tiny jobs and following them through their event streams: every job
/// completes, none is lost or duplicated; throughput and latency percentiles are printed. CI runs a short version;
/// FASTVIDEO_LOAD_JOBS=200 FASTVIDEO_LOAD_CLIENTS=20 gives the figures in docs/SERVING.md.
/// </summary>
[NonParallelizable]
public class LoadTests
{
    static int Setting(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), out int v) && v > 0 ? v : fallback;

    [Test]
    public async Task Concurrent_clients_get_every_job_completed_once()
    {
        int jobs = Setting("FASTVIDEO_LOAD_JOBS", 20), clients = Setting("FASTVIDEO_LOAD_CLIENTS", 5);
        await using var server = await TestServer.StartAsync(o => o with { MaxQueue = jobs + 10 });
        var latencies = new List<double>();
        var ids = new List<string>();
        int next = -1;
        var clock = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var workers = Enumerable.Range(0, clients).Select(async client =>
        {
            using var http = new HttpClient { BaseAddress = server.Server.Address, Timeout = TimeSpan.FromSeconds(600) };
            while (Interlocked.Increment(ref next) < jobs)
            {
                var started = Stopwatch.StartNew();
                var created = await Calls.CreateAsync(http, Calls.TinyJob(steps: 1, seed: next, prompt: $"load test job {next} from client {client}"));
                string id = created.GetProperty("id").GetString()!;
                using var stream = await http.GetAsync($"/v1/videos/{id}/events", HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                var events = await Sse.ReadAllAsync(stream, deadline.Token);
                Assert.That(events.LastOrDefault()?.Kind, Is.EqualTo("video.completed"), $"{id}: {string.Join(" | ", events)}");
                lock (latencies)
                {
                    latencies.Add(started.Elapsed.TotalSeconds);
                    ids.Add(id);
                }
            }
        }).ToList();
        await Task.WhenAll(workers);
        double total = clock.Elapsed.TotalSeconds;

        Assert.That(ids, Has.Count.EqualTo(jobs));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(jobs), "no id twice");
        var listed = new List<string>();
        string? after = null;
        for (int page = 0; page < 100; page++)
        {
            var list = await Calls.GetAsync(server.Http, "/v1/videos?limit=100" + (after is null ? "" : "&after=" + after));
            foreach (var v in list.GetProperty("data").EnumerateArray())
            {
                Assert.That(v.GetProperty("status").GetString(), Is.EqualTo("completed"));
                listed.Add(v.GetProperty("id").GetString()!);
            }
            if (!list.GetProperty("has_more").GetBoolean()) break;
            after = list.GetProperty("last_id").GetString();
        }
        Assert.That(listed.Order(), Is.EqualTo(ids.Order()), "the server lists exactly the jobs created");

        latencies.Sort();
        double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        TestContext.Out.WriteLine($"load: {jobs} jobs from {clients} clients in {total:F1} s: {jobs / total:F2} jobs/s; " +
                                  $"latency p50 {P(0.50):F2} s, p95 {P(0.95):F2} s, max {latencies[^1]:F2} s");
    }
}
