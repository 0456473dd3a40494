using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FastVideo.Onnx.Server.Tests.Support;

namespace FastVideo.Onnx.Server.Tests;

/// <summary>
/// Three <c>serve --cluster</c> processes on loopback with PostgreSQL as membership and grain storage (a private
/// server started for the test), sharing one data folder for the outputs; one is killed with SIGKILL mid-job.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ClusterProcessTests
{
    static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    static ServerProcess StartSilo(string data, string connection, IDictionary<string, string>? environment = null) =>
        ServerProcess.Start(data, environment, "--cluster", "--connection", connection, "--silo-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--threads", "1");

    /// <summary>
    /// The loopback figures of docs/SERVING.md: 300 tiny jobs on one silo, then on three (fresh databases), all
    /// submitted at once; throughput and the p95 of submit-to-completed as the client sees it. Run it by name.
    /// </summary>
    [Test, Explicit("a measurement, not a check: run by name")]
    public async Task Loopback_throughput_one_silo_against_three()
    {
        SdkTests.Require(PrivatePostgres.FindBin() is not null, "PostgreSQL (Debian's postgresql package) is not installed");
        foreach (int count in new[] { 1, 3 })
        {
            using var postgres = PrivatePostgres.Start();
            Assert.That(Support.Cli.Run("serve", "cluster", "init", "--connection", postgres.ConnectionString).Code, Is.Zero);
            using var data = new TempFolder();
            var roomy = new Dictionary<string, string> { ["FASTVIDEO_Server__MaxQueue"] = "1000", ["FASTVIDEO_Server__RateLimitPerMinute"] = "0" };
            var silos = Enumerable.Range(0, count).Select(_ => StartSilo(data.Path, postgres.ConnectionString, roomy)).ToList();
            try
            {
                const int jobs = 300;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var submitted = new Dictionary<string, TimeSpan>();
                for (int i = 0; i < jobs; i++)
                    submitted[(await Calls.CreateAsync(silos[i % count].Http, Calls.TinyJob(steps: 1, seed: i))).GetProperty("id").GetString()!] = clock.Elapsed;
                var done = new Dictionary<string, TimeSpan>();
                int failed = 0;
                while (done.Count + failed < jobs)
                {
                    Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMinutes(8)), $"{done.Count} of {jobs} done");
                    string? after = null;
                    failed = 0;
                    do
                    {
                        using var response = await silos[0].Http.GetAsync($"/v1/videos?limit=100&order=asc{(after is null ? "" : "&after=" + after)}");
                        var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                        foreach (var v in page.GetProperty("data").EnumerateArray())
                        {
                            string id = v.GetProperty("id").GetString()!;
                            if (v.GetProperty("status").GetString() == "completed") done.TryAdd(id, clock.Elapsed);
                            else if (v.GetProperty("status").GetString() == "failed") failed++;
                        }
                        after = page.GetProperty("has_more").GetBoolean() ? page.GetProperty("last_id").GetString() : null;
                    } while (after is not null);
                    await Task.Delay(200);
                }
                var latencies = done.Select(d => (d.Value - submitted[d.Key]).TotalSeconds).Order().ToList();
                double wall = done.Values.Max().TotalSeconds;
                TestContext.Out.WriteLine($"silos {count}: {done.Count}/{jobs} completed, {failed} failed, lost {jobs - done.Count - failed}; " +
                                          $"{jobs / wall:F2} jobs/s over {wall:F1} s; latency p50 {latencies[latencies.Count / 2]:F1} s, p95 {latencies[(int)(latencies.Count * 0.95)]:F1} s");
            }
            finally
            {
                foreach (var silo in silos) silo.Dispose();
            }
        }
    }

    static string Tail(string output) => output.Length > 6000 ? output[^6000..] : output;

    [Test]
    public async Task Three_silos_one_killed_mid_job_every_job_completes_once()
    {
        SdkTests.Require(PrivatePostgres.FindBin() is not null, "PostgreSQL (Debian's postgresql package) is not installed");
        using var postgres = PrivatePostgres.Start();
        var init = Support.Cli.Run("serve", "cluster", "init", "--connection", postgres.ConnectionString);
        Assert.That(init.Code, Is.EqualTo(0), init.ToString());
        Assert.That(init.Out, Does.Contain("created"));
        var again = Support.Cli.Run("serve", "cluster", "init", "--connection", postgres.ConnectionString);
        Assert.That(again.Out, Does.Contain("exist already"), again.ToString());

        using var data = new TempFolder();
        using var first = StartSilo(data.Path, postgres.ConnectionString);
        using var second = StartSilo(data.Path, postgres.ConnectionString);
        using var third = StartSilo(data.Path, postgres.ConnectionString);
        var silos = new[] { first, second, third };
        var ids = new List<string>();
        for (int i = 0; i < 9; i++)
            ids.Add((await Calls.CreateAsync(silos[i % 3].Http, Calls.TinyJob(steps: 200, seed: i))).GetProperty("id").GetString()!);

        // The third silo's worker reports the job it runs on its readiness page: kill it while it runs one.
        string? running = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (running is null)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the third silo never ran a job:\n" + third.Output);
            using var ready = await third.Http.GetAsync("/health/ready");
            var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
            running = body.GetProperty("workers").EnumerateArray().Select(w => w.GetProperty("running")).Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()).FirstOrDefault();
            if (running is null) await Task.Delay(20);
        }
        third.Kill();

        var finalDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        foreach (var id in ids)
        {
            string status;
            JsonElement video;
            do
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(finalDeadline), $"{id} did not finish; killed {running}\nfirst:\n{Tail(first.Output)}\nsecond:\n{Tail(second.Output)}");
                using var response = await first.Http.GetAsync($"/v1/videos/{id}");
                video = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                // 503 while the cluster has not yet declared the killed silo dead: the status is asked again.
                status = response.StatusCode == HttpStatusCode.OK ? video.GetProperty("status").GetString()! : "unavailable";
                if (status is not ("completed" or "failed")) await Task.Delay(100);
            } while (status is not ("completed" or "failed"));
            Assert.That(status, Is.EqualTo("completed"), video.ToString());
        }
        var rerun = await Calls.GetAsync(second.Http, $"/v1/videos/{running}");
        Assert.That(rerun.GetProperty("attempts").GetInt32(), Is.EqualTo(2), "the killed silo's job ran again on another silo");
        using var content = await second.Http.GetAsync($"/v1/videos/{running}/content");
        Assert.That(content.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await content.Content.ReadAsByteArrayAsync()).Length, Is.GreaterThan(0));

        using var list = await second.Http.GetAsync("/v1/videos?limit=100&order=asc");
        var listed = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("data").EnumerateArray().Select(v => v.GetProperty("id").GetString()).ToList();
        Assert.That(listed, Is.EqualTo(ids), "every job once, in creation order, from any silo");
    }
}
