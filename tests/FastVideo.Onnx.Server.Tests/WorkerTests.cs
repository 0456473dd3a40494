using System.Net;
using FastVideo.Onnx.Server.Tests.Support;

namespace FastVideo.Onnx.Server.Tests;

/// <summary>Workers and models: a model no worker can load makes the server not ready and its jobs refused, not queued forever.</summary>
[NonParallelizable]
public class WorkerTests
{
    [Test]
    public async Task A_model_that_cannot_load_is_reported_and_its_jobs_are_refused()
    {
        using var dir = new TempFolder();
        string broken = dir["broken"];
        foreach (var file in Directory.GetFiles(TinyModel.Folder, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(broken, Path.GetRelativePath(TinyModel.Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        File.WriteAllBytes(Path.Combine(broken, "transformer", "model.onnx"), new byte[] { 1, 2, 3, 4 });
        await using var server = await TestServer.StartAsync(o => o with { Models = new[] { TinyModel.Spec, "broken=" + broken } }, waitReady: false);

        System.Text.Json.JsonElement ready = default;
        for (int i = 0; i < 600; i++)
        {
            using var response = await server.Http.GetAsync("/health/ready");
            ready = await Calls.JsonOf(response);
            if (ready.GetProperty("status").GetString() == "degraded")
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                break;
            }
            await Task.Delay(50);
        }
        Assert.That(ready.GetProperty("status").GetString(), Is.EqualTo("degraded"), ready.ToString());
        Assert.That(ready.GetProperty("errors")[0].GetString(), Does.StartWith("cpu broken: "));

        using (var refused = await server.Http.PostAsync("/v1/videos", Calls.JsonBody("""{"prompt": "x", "model": "broken"}""")))
        {
            Assert.That((int)refused.StatusCode, Is.EqualTo(503));
            var error = (await Calls.JsonOf(refused)).GetProperty("error");
            Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("model_unavailable"));
            Assert.That(refused.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        }
        string id = (await Calls.CreateAsync(server.Http, Calls.TinyJob())).GetProperty("id").GetString()!;
        Assert.That((await Calls.WaitFinalAsync(server.Http, id)).GetProperty("status").GetString(), Is.EqualTo("completed"), "the other model still serves");
    }
}
