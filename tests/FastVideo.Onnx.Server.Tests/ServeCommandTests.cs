using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using FastVideo.Onnx.Cli;
using FastVideo.Onnx.Server.Tests.Support;

namespace FastVideo.Onnx.Server.Tests;

/// <summary><c>fastvideo-onnx serve</c> called as users call it: the embedded model without --model, key creation, refusals.</summary>
[NonParallelizable]
public class ServeCommandTests
{
    sealed class SyncWriter : StringWriter
    {
        public override void Write(char value)
        {
            lock (this) base.Write(value);
        }

        public override void Write(string? value)
        {
            lock (this) base.Write(value);
        }

        public override void WriteLine(string? value)
        {
            lock (this) base.WriteLine(value);
        }

        public string Text()
        {
            lock (this) return ToString();
        }
    }

    [Test]
    public async Task Serve_without_a_model_serves_the_embedded_tiny_model_until_cancelled()
    {
        _ = TinyModel.Folder; // the cache folder for this run (FASTVIDEO_ONNX_CACHE) with the embedded model converted
        using var data = new TempFolder();
        var stdout = new SyncWriter();
        var stderr = new SyncWriter();
        using var cancel = new CancellationTokenSource();
        var run = Task.Run(() => CliApp.Run(new[] { "serve", "--port", "0", "--data", data.Path }, stdout, stderr, cancel.Token));
        Uri? address = null;
        for (int i = 0; i < 600 && address is null && !run.IsCompleted; i++)
        {
            if (Regex.Match(stdout.Text(), @" on (http://127\.0\.0\.1:\d+/)") is { Success: true } m) address = new Uri(m.Groups[1].Value);
            else await Task.Delay(100);
        }
        Assert.That(address, Is.Not.Null, $"stdout: {stdout.Text()}\nstderr: {stderr.Text()}");
        using (var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) })
        {
            var models = await Calls.GetAsync(http, "/v1/models");
            Assert.That(models.GetProperty("data")[0].GetProperty("id").GetString(), Is.EqualTo("wan-t2v-tiny"));
            string id = (await Calls.CreateAsync(http, Calls.TinyJob())).GetProperty("id").GetString()!;
            Assert.That((await Calls.WaitFinalAsync(http, id)).GetProperty("status").GetString(), Is.EqualTo("completed"));
        }
        cancel.Cancel();
        Assert.That(run.Wait(TimeSpan.FromSeconds(60)), Is.True, "serve returns after cancellation");
        Assert.That(run.Result, Is.EqualTo(0), stderr.Text());
        Assert.That(stdout.Text(), Does.Contain("serving wan-t2v-tiny (WanPipeline) on ").And.Contain("stopped"));
    }

    [Test]
    public async Task Keys_add_prints_a_key_once_that_the_server_accepts()
    {
        using var dir = new TempFolder();
        var r = Support.Cli.Run("serve", "keys", "add", "--api-keys", dir["keys"], "--name", "ci");
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        string key = r.Out.Split('\n')[0].Trim();
        Assert.That(key, Does.StartWith("fvo_"));
        Assert.That(File.ReadAllText(dir["keys"]), Does.Not.Contain(key).And.Contain(" ci"));
        await using var server = await TestServer.StartAsync(o => o with { ApiKeys = dir["keys"] });
        server.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await server.Http.GetAsync("/v1/models");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void Bad_settings_are_one_line_errors_naming_the_option()
    {
        _ = TinyModel.Folder;
        using var dir = new TempFolder();
        var anonymous = Support.Cli.Run("serve", "--model", TinyModel.Folder, "--host", "0.0.0.0", "--data", dir.Path);
        Assert.That(anonymous.Code, Is.EqualTo(1), anonymous.ToString());
        Assert.That(anonymous.Err.Trim(), Does.StartWith("error: --host: 0.0.0.0 is reachable from other machines"));

        var devices = Support.Cli.Run("serve", "--model", TinyModel.Folder, "--devices", "cuda:x", "--data", dir.Path);
        Assert.That((devices.Code, devices.Err.Trim()), Is.EqualTo((1, "error: --devices: 'cuda:x' is not DEVICE or DEVICE:ID (for example cuda:0)")));

        File.WriteAllText(dir["server.json"], """{"Server": {"MaxQueue": 0}}""");
        var config = Support.Cli.Run("serve", "--model", TinyModel.Folder, "--config", dir["server.json"], "--data", dir.Path);
        Assert.That((config.Code, config.Err.Trim()), Is.EqualTo((1, "error: --max-queue: 0 must be at least 1")));

        var model = Support.Cli.Run("serve", "--model", dir["missing"], "--data", dir.Path);
        Assert.That(model.Code, Is.EqualTo(1));
        Assert.That(model.Err.Trim(), Does.StartWith("error: ").And.Contain("missing"));

        var usage = Support.Cli.Run("serve", "keys", "remove");
        Assert.That(usage.Code, Is.EqualTo(2));
        Assert.That(Support.Cli.Run("serve", "--help").Out, Does.Contain("serve keys add"));
        Assert.That(Support.Cli.Run("--help").Out, Does.Contain("serve "));
    }

    [Test]
    public void Cluster_settings_errors_are_one_line_naming_the_setting()
    {
        _ = TinyModel.Folder;
        using var dir = new TempFolder();
        var stray = Support.Cli.Run("serve", "--model", TinyModel.Folder, "--silo-port", "12000", "--data", dir.Path);
        Assert.That(stray.Code, Is.EqualTo(2), stray.ToString());
        Assert.That(stray.Err, Does.Contain("--silo-port belongs to --cluster"));

        File.WriteAllText(dir["cluster.json"], """{"Cluster": {"Provider": "zookeeper"}}""");
        var provider = Support.Cli.Run("serve", "--model", TinyModel.Folder, "--cluster", "--config", dir["cluster.json"], "--data", dir.Path);
        Assert.That((provider.Code, provider.Err.Trim()), Is.EqualTo((1, "error: Cluster:Provider: 'zookeeper' is not localhost or postgres")));

        var noConnection = Support.Cli.Run("serve", "cluster", "init");
        Assert.That(noConnection.Code, Is.EqualTo(2), noConnection.ToString());
        Assert.That(noConnection.Err, Does.Contain("--connection is required"));

        // Port 1 on loopback: nothing listens there.
        var unreachable = Support.Cli.Run("serve", "cluster", "init", "--connection", "Host=127.0.0.1;Port=1;Username=fastvideo;Timeout=3");
        Assert.That(unreachable.Code, Is.EqualTo(1), unreachable.ToString());
        Assert.That(unreachable.Err.Trim(), Does.StartWith("error: Cluster:ConnectionString: cannot connect to PostgreSQL at 127.0.0.1:1"));
        Assert.That(unreachable.Err.Trim().Split('\n'), Has.Length.EqualTo(1));
    }
}
