using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FastVideo.Onnx.Server.Tests.Support;

namespace FastVideo.Onnx.Server.Tests;

/// <summary>
/// Hostile requests from a seeded generator (so a failure reproduces): JSON bodies, multipart uploads, headers, ids and
/// query strings, each with at least one defect. Every answer must be OpenAI's error envelope with a 4xx status:
/// never a 500, never a hang (each request has a deadline), and the server still serves afterwards.
/// </summary>
[NonParallelizable]
public class FuzzTests
{
    const int Seed = 20261201;
    const int Requests = 400;

    static readonly string[] Fields = { "model", "prompt", "size", "seconds", "negative_prompt", "num_frames", "fps", "seed", "num_inference_steps", "guidance_scale", "vsa_sparsity", "guidance_scale_2", "frame_rate", "decode_timestep", "decode_noise_scale", "guidance_rescale" };

    [Test]
    public async Task Hostile_requests_get_4xx_error_envelopes()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.Server.Address, Timeout = TimeSpan.FromSeconds(10) };
        var random = new Random(Seed);
        var seen = new Dictionary<int, int>();
        for (int i = 0; i < Requests; i++)
        {
            using var request = Hostile(random, i);
            string what = $"request {i} (seed {Seed}): {request.Method} {request.RequestUri} {Describe(request)}";
            using var response = await http.SendAsync(request);
            seen[(int)response.StatusCode] = seen.GetValueOrDefault((int)response.StatusCode) + 1;
            try
            {
                await Calls.AssertErrorAsync(response);
            }
            catch (AssertionException)
            {
                TestContext.Out.WriteLine(what);
                throw;
            }
        }
        TestContext.Out.WriteLine("statuses: " + string.Join(", ", seen.OrderBy(p => p.Key).Select(p => $"{p.Key} x{p.Value}")));
        Assert.That(seen.Keys.Distinct().Count(), Is.GreaterThanOrEqualTo(3), "the generator reaches several kinds of refusal");
        // Still healthy, and nothing was queued by a hostile request.
        Assert.That((await Calls.GetAsync(http, "/health/ready")).GetProperty("status").GetString(), Is.EqualTo("ready"));
        Assert.That((await Calls.GetAsync(http, "/v1/videos")).GetProperty("data").GetArrayLength(), Is.EqualTo(0));
    }

    static string Describe(HttpRequestMessage request)
    {
        string headers = string.Join("; ", request.Headers.Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));
        string type = request.Content?.Headers.ContentType?.ToString() ?? "";
        return $"[{headers}] [{type}]";
    }

    static HttpRequestMessage Hostile(Random r, int i) => (i % 5) switch
    {
        0 => JsonRequest(r),
        1 => MultipartRequest(r),
        2 => IdRequest(r),
        3 => ListRequest(r),
        _ => HeaderRequest(r),
    };

    static Dictionary<string, object?> ValidBody() => new() { ["prompt"] = "a fox", ["size"] = "64x64", ["num_frames"] = 9, ["num_inference_steps"] = 1 };

    static object? WrongValue(Random r, string field) => field switch
    {
        "prompt" or "model" or "size" or "negative_prompt" => r.Next(4) switch { 0 => 12, 1 => new[] { 1, 2 }, 2 => true, _ => new { a = 1 } },
        "seconds" => r.Next(3) switch { 0 => "-3", 1 => "forever", _ => new[] { "4" } },
        _ => r.Next(5) switch { 0 => "x" + RandomText(r, 5), 1 => -1e12, 2 => 1e300, 3 => new { v = 1 }, _ => "NaN" },
    };

    static HttpRequestMessage JsonRequest(Random r)
    {
        var body = ValidBody();
        byte[] bytes;
        switch (r.Next(8))
        {
            case 0: // a field of the wrong type or out of range
                string field = Fields[r.Next(Fields.Length)];
                body[field] = WrongValue(r, field);
                bytes = JsonSerializer.SerializeToUtf8Bytes(body);
                break;
            case 1: // an unknown field
                body["x_" + RandomText(r, r.Next(1, 40))] = RandomText(r, 10);
                bytes = JsonSerializer.SerializeToUtf8Bytes(body);
                break;
            case 2: // truncated JSON
                var whole = JsonSerializer.SerializeToUtf8Bytes(body);
                bytes = whole[..r.Next(1, whole.Length - 1)];
                break;
            case 3: // deep nesting
                int depth = r.Next(20, 400);
                bytes = Encoding.UTF8.GetBytes("{\"prompt\":" + new string('[', depth) + new string(']', depth) + "}");
                break;
            case 4: // not an object
                bytes = Encoding.UTF8.GetBytes(r.Next(3) switch { 0 => "[]", 1 => "\"prompt\"", _ => "null" });
                break;
            case 5: // invalid UTF-8 inside a string
                bytes = Encoding.UTF8.GetBytes("{\"prompt\":\"ab").Concat(new byte[] { 0xC3, 0x28, 0xFF }).Concat(Encoding.UTF8.GetBytes("\"}")).ToArray();
                break;
            case 6: // a prompt over the limit or a random size
                if (r.Next(2) == 0) body["prompt"] = new string('z', 32_001 + r.Next(1000));
                else body["size"] = RandomText(r, r.Next(0, 12)) + "y";
                bytes = JsonSerializer.SerializeToUtf8Bytes(body);
                break;
            default: // random bytes
                bytes = new byte[r.Next(1, 2000)];
                r.NextBytes(bytes);
                bytes[0] = (byte)'{';
                break;
        }
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpRequestMessage(HttpMethod.Post, "/v1/videos") { Content = content };
    }

    static HttpRequestMessage MultipartRequest(Random r)
    {
        HttpContent content;
        switch (r.Next(6))
        {
            case 0: // garbage with a multipart content type
                var garbage = new byte[r.Next(0, 3000)];
                r.NextBytes(garbage);
                content = new ByteArrayContent(garbage);
                content.Headers.TryAddWithoutValidation("Content-Type", r.Next(2) == 0 ? "multipart/form-data" : $"multipart/form-data; boundary={RandomToken(r, 20)}");
                break;
            case 1: // an image that is not one
                var notImage = new byte[r.Next(1, 5000)];
                r.NextBytes(notImage);
                content = new MultipartFormDataContent { { new StringContent("x"), "prompt" }, { new ByteArrayContent(notImage), "input_reference", RandomToken(r, 8) + ".png" } };
                break;
            case 2: // a file under another name
                content = new MultipartFormDataContent { { new StringContent("x"), "prompt" }, { new ByteArrayContent(new byte[] { 1 }), RandomToken(r, 6), "../../../etc/passwd" } };
                break;
            case 3: // a field twice, or a missing prompt
                var form = new MultipartFormDataContent { { new StringContent("1"), "num_inference_steps" } };
                if (r.Next(2) == 0) form.Add(new StringContent("2"), "num_inference_steps");
                content = form;
                break;
            case 4: // an unknown field
                content = new MultipartFormDataContent { { new StringContent("x"), "prompt" }, { new StringContent(RandomText(r, 20)), "output_path" } };
                break;
            default: // a number field that is not one
                content = new MultipartFormDataContent { { new StringContent("x"), "prompt" }, { new StringContent(RandomText(r, 10) + "q"), Fields[5 + r.Next(Fields.Length - 5)] } };
                break;
        }
        return new HttpRequestMessage(HttpMethod.Post, "/v1/videos") { Content = content };
    }

    static HttpRequestMessage IdRequest(Random r)
    {
        string id = r.Next(4) switch
        {
            0 => "video_" + RandomToken(r, r.Next(0, 40)),
            1 => string.Join("/", Enumerable.Repeat("..", r.Next(1, 6))) + "/jobs.db",
            2 => RandomText(r, r.Next(1, 300)),
            _ => "video_" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
        };
        string suffix = new[] { "", "/content", "/cancel", "/events", "/content?variant=" + Uri.EscapeDataString(RandomText(r, 5)) }[r.Next(5)];
        var method = suffix == "/cancel" ? HttpMethod.Post : r.Next(4) == 0 && suffix == "" ? HttpMethod.Delete : HttpMethod.Get;
        var request = new HttpRequestMessage(method, "/v1/videos/" + Uri.EscapeDataString(id) + suffix);
        if (r.Next(3) == 0) request.Headers.TryAddWithoutValidation("Range", RandomAscii(r, r.Next(1, 60)));
        return request;
    }

    static HttpRequestMessage ListRequest(Random r)
    {
        var parts = new List<string>();
        if (r.Next(2) == 0) parts.Add("order=" + Uri.EscapeDataString(new[] { "asc", "desc" }[r.Next(2)]));
        parts.Add(r.Next(4) switch
        {
            0 => "limit=" + new[] { "0", "-1", "101", "1e2", "", "ten", "99999999999" }[r.Next(7)],
            1 => "after=" + Uri.EscapeDataString(RandomText(r, r.Next(1, 80))),
            2 => Uri.EscapeDataString("k" + RandomText(r, 6)) + "=" + Uri.EscapeDataString(RandomText(r, 6)),
            _ => "order=" + Uri.EscapeDataString(RandomText(r, 4) + "x"),
        });
        return new HttpRequestMessage(HttpMethod.Get, "/v1/videos?" + string.Join("&", parts.OrderBy(_ => r.Next())));
    }

    static HttpRequestMessage HeaderRequest(Random r)
    {
        // Hostile headers on a request that is refused either way (its body lacks a prompt).
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"size\": \"64x64\"}"));
        content.Headers.TryAddWithoutValidation("Content-Type", r.Next(3) == 0 ? RandomAscii(r, r.Next(1, 100)) : "application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/videos") { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", RandomAscii(r, r.Next(0, 500)));
        request.Headers.TryAddWithoutValidation("Accept", RandomAscii(r, r.Next(1, 100)));
        for (int i = r.Next(0, 20); i > 0; i--) request.Headers.TryAddWithoutValidation("X-" + RandomToken(r, 10), RandomAscii(r, r.Next(0, 200)));
        return request;
    }

    static string RandomToken(Random r, int length) =>
        new(Enumerable.Range(0, length).Select(_ => "abcdefghijklmnopqrstuvwxyz0123456789-_"[r.Next(38)]).ToArray());

    /// <summary>Printable ASCII (what a header value can carry on the wire).</summary>
    static string RandomAscii(Random r, int length) => new(Enumerable.Range(0, length).Select(_ => (char)r.Next(0x20, 0x7F)).ToArray());

    /// <summary>Any text but control characters (Kestrel itself refuses those in paths, before the application sees the request).</summary>
    static string RandomText(Random r, int length)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            int c = r.Next(5) switch { 0 => r.Next(0x20, 0x7F), 1 => r.Next(0xA0, 0x800), 2 => r.Next(0x4E00, 0x9FFF), 3 => "/\\.%?#&=\"'<>{}"[r.Next(14)], _ => r.Next(0x20, 0x7F) };
            sb.Append((char)c);
        }
        return sb.ToString();
    }
}
