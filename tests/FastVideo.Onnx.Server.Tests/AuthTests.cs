using System.Net;
using System.Net.Http.Headers;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Server.Security;
using FastVideo.Onnx.Server.Tests.Support;

namespace FastVideo.Onnx.Server.Tests;

/// <summary>API keys (hashed file, Bearer header, per-key isolation), the loopback rule for anonymous servers, and per-key rate limits.</summary>
[NonParallelizable]
public class AuthTests
{
    [Test]
    public async Task Every_route_but_health_and_the_page_needs_a_key_and_a_key_sees_only_its_own_jobs()
    {
        using var dir = new TempFolder();
        string file = dir["keys"];
        string alice = ApiKeyFile.Add(file, "alice");
        string bob = ApiKeyFile.Add(file, "bob");
        Assert.That(File.ReadAllText(file), Does.Not.Contain(alice).And.Not.Contain(bob), "only hashes are stored");
        Assert.That(alice, Does.StartWith(ApiKeyFile.KeyPrefix));

        await using var server = await TestServer.StartAsync(o => o with { ApiKeys = file });
        var http = server.Http;
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/v1/videos"), (HttpMethod.Post, "/v1/videos"), (HttpMethod.Get, "/v1/models"), (HttpMethod.Get, "/openapi/v1.json"),
                     (HttpMethod.Get, "/v1/videos/video_0123456789abcdef0123456789abcdef/content"), (HttpMethod.Get, "/v1/nothing") })
        {
            using var anonymous = await http.SendAsync(new HttpRequestMessage(method, path));
            await Calls.AssertErrorAsync(anonymous, 401, code: "missing_api_key");
            Assert.That(anonymous.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
            foreach (string header in new[] { "Bearer fvo_wrong", "Basic " + alice, "Bearer", "bearer  ", alice })
            {
                var request = new HttpRequestMessage(method, path);
                request.Headers.TryAddWithoutValidation("Authorization", header);
                using var wrong = await http.SendAsync(request);
                await Calls.AssertErrorAsync(wrong, 401, code: "invalid_api_key");
            }
        }
        foreach (string open in new[] { "/health/live", "/health/ready", "/", "/app.js", "/style.css" })
        {
            using var response = await http.GetAsync(open);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), open);
        }

        using var asAlice = new HttpClient { BaseAddress = server.Server.Address, Timeout = TimeSpan.FromSeconds(30) };
        asAlice.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", alice);
        using var asBob = new HttpClient { BaseAddress = server.Server.Address, Timeout = TimeSpan.FromSeconds(30) };
        asBob.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bob);

        string id = (await Calls.CreateAsync(asAlice, Calls.TinyJob())).GetProperty("id").GetString()!;
        await Calls.WaitFinalAsync(asAlice, id);
        foreach (var (method, path) in new[] { (HttpMethod.Get, ""), (HttpMethod.Get, "/content"), (HttpMethod.Post, "/cancel"), (HttpMethod.Get, "/events"), (HttpMethod.Delete, "") })
        {
            using var other = await asBob.SendAsync(new HttpRequestMessage(method, $"/v1/videos/{id}{path}"));
            await Calls.AssertErrorAsync(other, 404);
        }
        Assert.That((await Calls.GetAsync(asBob, "/v1/videos")).GetProperty("data").GetArrayLength(), Is.EqualTo(0));
        using (var after = await asBob.GetAsync($"/v1/videos?after={id}"))
            await Calls.AssertErrorAsync(after, 400, param: "after");
        Assert.That((await Calls.GetAsync(asAlice, "/v1/videos")).GetProperty("data")[0].GetProperty("id").GetString(), Is.EqualTo(id));
        using var mine = await asAlice.GetAsync($"/v1/videos/{id}/content");
        Assert.That(mine.StatusCode, Is.EqualTo(HttpStatusCode.OK), "still there after the other key's DELETE");
    }

    [Test]
    public void Without_keys_a_non_loopback_address_is_refused_unless_anonymous_is_allowed()
    {
        using var dir = new TempFolder();
        var models = new[] { ServedModel.Open(TinyModel.Spec) };
        var options = TestServer.Defaults(dir.Path) with { Host = "0.0.0.0" };
        var e = Assert.Throws<InvalidRequestException>(() => VideoServer.Create(options, models));
        Assert.That(e!.Message, Does.StartWith("--host: 0.0.0.0").And.Contain("--api-keys").And.Contain("--allow-anonymous"));
        var allowed = VideoServer.Create(options with { AllowAnonymous = true }, models);
        allowed.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Assert.That(File.Exists(Path.Combine(dir.Path, "jobs.db")), Is.True, "the allowed server was built");
    }

    [Test]
    public void A_keys_file_with_a_bad_line_is_refused_naming_the_line()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir["keys"], "# comment\nsha256:1234 short\n");
        var e = Assert.Throws<InvalidRequestException>(() => ApiKeyFile.Load(dir["keys"]));
        Assert.That(e!.Message, Does.Contain("keys:2"));
        Assert.Throws<InvalidRequestException>(() => ApiKeyFile.Load(dir["missing"]));
    }

    [Test]
    public async Task Requests_beyond_the_per_key_rate_limit_get_429_with_retry_after()
    {
        using var dir = new TempFolder();
        string file = dir["keys"];
        string alice = ApiKeyFile.Add(file, "alice");
        string bob = ApiKeyFile.Add(file, "bob");
        await using var server = await TestServer.StartAsync(o => o with { ApiKeys = file, RateLimitPerMinute = 5 });
        using var asAlice = new HttpClient { BaseAddress = server.Server.Address, Timeout = TimeSpan.FromSeconds(30) };
        asAlice.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", alice);
        for (int i = 0; i < 5; i++)
        {
            using var ok = await asAlice.GetAsync("/v1/models");
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"request {i + 1}");
        }
        using var limited = await asAlice.GetAsync("/v1/models");
        await Calls.AssertErrorAsync(limited, 429, code: "rate_limit_exceeded");
        Assert.That(limited.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));

        using var asBob = new HttpClient { BaseAddress = server.Server.Address, Timeout = TimeSpan.FromSeconds(30) };
        asBob.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bob);
        using var other = await asBob.GetAsync("/v1/models");
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.OK), "another key has its own budget");
        using var health = await server.Http.GetAsync("/health/live");
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "health checks are not limited");
    }
}
