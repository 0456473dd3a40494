using System.Net;
using System.Text;
using System.Text.Json;

namespace FastVideo.Onnx.Server.Tests.Support;

/// <summary>Requests and checks shared by the server tests: tiny jobs, bounded polling, OpenAI's error envelope.</summary>
public static class Calls
{
    /// <summary>A job of the tiny model that takes about a second on one CPU core: 64x64, 9 frames.</summary>
    public static string TinyJob(int steps = 1, long seed = 7, string prompt = "a red fox in the snow") =>
        JsonSerializer.Serialize(new { prompt, num_inference_steps = steps, seed, size = "64x64", num_frames = 9 });

    /// <summary>A job that runs for tens of seconds (256x256, 33 frames, 1000 steps): something to cancel, kill or stop.</summary>
    public static string LongJob(long seed = 1) =>
        JsonSerializer.Serialize(new { prompt = "a long walk", num_inference_steps = 1000, seed, size = "256x256", num_frames = 33 });

    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> JsonOf(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            Assert.Fail($"{(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: body is not JSON: {text}");
            throw;
        }
    }

    public static async Task<JsonElement> CreateAsync(HttpClient http, string json)
    {
        using var response = await http.PostAsync("/v1/videos", JsonBody(json));
        var body = await JsonOf(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body;
    }

    public static async Task<JsonElement> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var body = await JsonOf(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{path}: {body}");
        return body;
    }

    /// <summary>Polls a job until it is completed or failed; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task<JsonElement> WaitFinalAsync(HttpClient http, string id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        JsonElement video = default;
        while (DateTime.UtcNow < deadline)
        {
            video = await GetAsync(http, $"/v1/videos/{id}");
            if (video.GetProperty("status").GetString() is "completed" or "failed") return video;
            await Task.Delay(100);
        }
        Assert.Fail($"{id} did not finish within {timeout ?? TimeSpan.FromSeconds(60)}: {video}");
        return video;
    }

    /// <summary>Polls until <paramref name="condition"/> holds for the job; fails after <paramref name="timeout"/>.</summary>
    public static async Task<JsonElement> WaitUntilAsync(HttpClient http, string id, Func<JsonElement, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement video = default;
        while (DateTime.UtcNow < deadline)
        {
            video = await GetAsync(http, $"/v1/videos/{id}");
            if (condition(video)) return video;
            await Task.Delay(50);
        }
        Assert.Fail($"{id}: condition not reached within {timeout}: {video}");
        return video;
    }

    /// <summary>
    /// Asserts OpenAI's error envelope: a 4xx status (<paramref name="status"/> when given) and
    /// <c>{"error": {"message": string, "type": string, "param": string|null, "code": string|null}}</c>.
    /// </summary>
    public static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, int? status = null, string? code = null, string? param = null)
    {
        string text = await response.Content.ReadAsStringAsync();
        string what = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} -> {(int)response.StatusCode}: {text}";
        if (status is int s) Assert.That((int)response.StatusCode, Is.EqualTo(s), what);
        else Assert.That((int)response.StatusCode, Is.InRange(400, 499), what);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), what);
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            Assert.Fail($"not JSON: {what}");
            throw;
        }
        Assert.That(root.ValueKind, Is.EqualTo(JsonValueKind.Object), what);
        Assert.That(root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object, Is.True, what);
        Assert.That(error.GetProperty("message").ValueKind, Is.EqualTo(JsonValueKind.String), what);
        Assert.That(error.GetProperty("message").GetString(), Is.Not.Empty, what);
        Assert.That(error.GetProperty("type").ValueKind, Is.EqualTo(JsonValueKind.String), what);
        Assert.That(error.GetProperty("param").ValueKind, Is.AnyOf(JsonValueKind.String, JsonValueKind.Null), what);
        Assert.That(error.GetProperty("code").ValueKind, Is.AnyOf(JsonValueKind.String, JsonValueKind.Null), what);
        if (code is not null) Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(code), what);
        if (param is not null) Assert.That(error.GetProperty("param").GetString(), Is.EqualTo(param), what);
        return error;
    }
}
