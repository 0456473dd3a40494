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

    static ServerProcess StartSilo(string data, string connection) =>
        ServerProcess.Start(data, null, "--cluster", "--connection", connection, "--silo-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--threads", "1");

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
