using System.Text.Json;
using FastVideo.Onnx.Server.Jobs;
using FastVideo.Onnx.Server.Tests.Support;

namespace FastVideo.Onnx.Server.Tests;

/// <summary>
/// Real server processes on one data folder: killed with SIGKILL while jobs are queued and running, then started
/// again; stopped with SIGTERM. Every job ends completed or failed with a reason; none is lost or duplicated.
/// </summary>
[NonParallelizable]
public class RestartTests
{
    static async Task<string> CreateAsync(HttpClient http, int steps, long seed) =>
        (await Calls.CreateAsync(http, steps == 1000 ? Calls.LongJob(seed) : Calls.TinyJob(steps: steps, seed: seed))).GetProperty("id").GetString()!;

    static async Task<List<JsonElement>> ListAllAsync(HttpClient http) =>
        (await Calls.GetAsync(http, "/v1/videos?limit=100&order=asc")).GetProperty("data").EnumerateArray().ToList();

    [Test]
    public async Task Killed_twice_mid_job_then_restarted_every_job_ends_and_none_is_lost_or_duplicated()
    {
        using var data = new TempFolder();
        string longJob;
        var tiny = new List<string>();
        using (var first = ServerProcess.Start(data.Path))
        {
            longJob = await CreateAsync(first.Http, 1000, 1);
            for (int i = 0; i < 5; i++) tiny.Add(await CreateAsync(first.Http, 2, 10 + i));
            await Calls.WaitUntilAsync(first.Http, longJob, v => v.GetProperty("progress").GetInt32() > 5, TimeSpan.FromSeconds(60));
            first.Kill();
        }
        using (var second = ServerProcess.Start(data.Path))
        {
            // The interrupted job runs again first (it is the oldest), as its second attempt.
            var again = await Calls.WaitUntilAsync(second.Http, longJob,
                v => v.GetProperty("status").GetString() == "in_progress" && v.GetProperty("progress").GetInt32() > 5, TimeSpan.FromSeconds(60));
            Assert.That(again.GetProperty("attempts").GetInt32(), Is.EqualTo(2));
            tiny.Add(await CreateAsync(second.Http, 1, 99));
            second.Kill();
        }
        using var third = ServerProcess.Start(data.Path);
        var ids = tiny.Prepend(longJob).ToList();
        foreach (var id in ids) await Calls.WaitFinalAsync(third.Http, id, TimeSpan.FromSeconds(120));

        var all = await ListAllAsync(third.Http);
        Assert.That(all.Select(v => v.GetProperty("id").GetString()), Is.EqualTo(ids), "every job once, in creation order");
        var interrupted = all[0];
        Assert.That(interrupted.GetProperty("status").GetString(), Is.EqualTo("failed"));
        Assert.That(interrupted.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("interrupted"));
        Assert.That(interrupted.GetProperty("attempts").GetInt32(), Is.EqualTo(2));
        foreach (var video in all.Skip(1))
        {
            Assert.That(video.GetProperty("status").GetString(), Is.EqualTo("completed"), video.ToString());
            using var content = await third.Http.GetAsync($"/v1/videos/{video.GetProperty("id").GetString()}/content");
            Assert.That(content.IsSuccessStatusCode, Is.True);
        }
        Assert.That(Directory.GetFiles(Path.Combine(data.Path, "videos")).Where(f => Path.GetFileName(f).StartsWith('.')), Is.Empty,
            "no partial file left by the kills");
    }

    [Test]
    public async Task Sigterm_lets_a_short_job_finish_queues_a_long_one_again_and_exits_0()
    {
        using var data = new TempFolder();
        string shortJob, longJob, waiting;
        // The shutdown timeout comes from the environment (FASTVIDEO_Server__*), as a service unit would set it.
        var patient = new Dictionary<string, string> { ["FASTVIDEO_Server__ShutdownTimeoutSeconds"] = "60" };
        var impatient = new Dictionary<string, string> { ["FASTVIDEO_Server__ShutdownTimeoutSeconds"] = "1" };
        using (var server = ServerProcess.Start(data.Path, patient))
        {
            shortJob = await CreateAsync(server.Http, 40, 1);
            await Calls.WaitUntilAsync(server.Http, shortJob, v => v.GetProperty("status").GetString() == "in_progress", TimeSpan.FromSeconds(30));
            server.Terminate();
            Assert.That(server.WaitForExit(TimeSpan.FromSeconds(90)), Is.True, server.Output);
            Assert.That(server.ExitCode, Is.EqualTo(0), server.Output);
            Assert.That(server.Output, Does.Contain("stopped"));
        }
        using (var store = JobStore.Open(data.Path))
            Assert.That(store.Get(shortJob)!.Status, Is.EqualTo(JobStatus.Completed), "finished within the shutdown timeout");

        using (var server = ServerProcess.Start(data.Path, impatient))
        {
            longJob = await CreateAsync(server.Http, 1000, 2);
            waiting = await CreateAsync(server.Http, 1, 3);
            await Calls.WaitUntilAsync(server.Http, longJob, v => v.GetProperty("progress").GetInt32() > 5, TimeSpan.FromSeconds(30));
            server.Terminate();
            Assert.That(server.WaitForExit(TimeSpan.FromSeconds(90)), Is.True, server.Output);
            Assert.That(server.ExitCode, Is.EqualTo(0), server.Output);
        }
        using (var store = JobStore.Open(data.Path))
        {
            var stopped = store.Get(longJob)!;
            Assert.That((stopped.Status, stopped.Attempts), Is.EqualTo((JobStatus.Queued, 0)), "stopped by the shutdown, queued again, the attempt not counted");
            Assert.That(store.Get(waiting)!.Status, Is.EqualTo(JobStatus.Queued));
        }
    }
}
