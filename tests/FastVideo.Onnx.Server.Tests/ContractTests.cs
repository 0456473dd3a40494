using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FastVideo.Onnx.Server.Tests.Support;

namespace FastVideo.Onnx.Server.Tests;

/// <summary>
/// The routes against one server of the tiny model: OpenAI's shapes (the video object, list pages, deletion, content
/// with Range requests), the extensions (cancel, events, models, health, OpenAPI), and each error's status and envelope.
/// </summary>
[NonParallelizable]
public class ContractTests
{
    TestServer _server = null!;
    HttpClient Http => _server.Http;

    [OneTimeSetUp]
    public async Task Start() => _server = await TestServer.StartAsync(o => o with { MaxQueue = 2 });

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    [Test]
    public async Task Create_returns_a_queued_video_object_that_completes_with_content()
    {
        var created = await Calls.CreateAsync(Http, Calls.TinyJob(steps: 2, seed: 11));
        string id = created.GetProperty("id").GetString()!;
        Assert.That(id, Does.Match("^video_[0-9a-f]{32}$"));
        Assert.That(created.GetProperty("object").GetString(), Is.EqualTo("video"));
        Assert.That(created.GetProperty("status").GetString(), Is.AnyOf("queued", "in_progress"));
        Assert.That(created.GetProperty("model").GetString(), Is.EqualTo("wan-t2v-tiny"));
        Assert.That(created.GetProperty("size").GetString(), Is.EqualTo("64x64"));
        Assert.That(created.GetProperty("num_frames").GetInt32(), Is.EqualTo(9));
        Assert.That(created.GetProperty("seed").GetInt64(), Is.EqualTo(11));
        Assert.That(created.GetProperty("num_inference_steps").GetInt32(), Is.EqualTo(2));
        Assert.That(created.GetProperty("completed_at").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(created.GetProperty("error").ValueKind, Is.EqualTo(JsonValueKind.Null));
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.That(created.GetProperty("created_at").GetInt64(), Is.InRange(now - 60, now + 1));

        var done = await Calls.WaitFinalAsync(Http, id);
        Assert.That(done.GetProperty("status").GetString(), Is.EqualTo("completed"), done.ToString());
        Assert.That(done.GetProperty("progress").GetInt32(), Is.EqualTo(100));
        Assert.That(done.GetProperty("attempts").GetInt32(), Is.EqualTo(1));
        long completed = done.GetProperty("completed_at").GetInt64();
        Assert.That(done.GetProperty("expires_at").GetInt64(), Is.EqualTo(completed + 24 * 3600));

        using var video = await Http.GetAsync($"/v1/videos/{id}/content");
        Assert.That(video.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(video.Content.Headers.ContentType?.MediaType, Is.AnyOf("video/mp4", "video/x-msvideo"));
        var bytes = await video.Content.ReadAsByteArrayAsync();
        Assert.That(bytes.Length, Is.GreaterThan(1000));
        Assert.That(Encoding.ASCII.GetString(bytes, 4, 4) == "ftyp" || Encoding.ASCII.GetString(bytes, 0, 4) == "RIFF", Is.True, "an MP4 or AVI file");

        using var thumbnail = await Http.GetAsync($"/v1/videos/{id}/content?variant=thumbnail");
        Assert.That(thumbnail.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(thumbnail.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/jpeg"));
        var jpeg = await thumbnail.Content.ReadAsByteArrayAsync();
        Assert.That(jpeg[..2], Is.EqualTo(new byte[] { 0xFF, 0xD8 }));
    }

    [Test]
    public async Task Seconds_and_fps_give_the_frame_count_rounded_to_4k_plus_1()
    {
        var created = await Calls.CreateAsync(Http, """{"prompt": "waves", "seconds": "1", "fps": 10, "num_inference_steps": 1}""");
        // 1 s x 10 fps = 10 frames, rounded down to 9 (4k+1) as the library rounds.
        Assert.That(created.GetProperty("num_frames").GetInt32(), Is.EqualTo(9));
        Assert.That(created.GetProperty("fps").GetInt32(), Is.EqualTo(10));
        Assert.That(created.GetProperty("seconds").GetString(), Is.EqualTo("1"));
        await Calls.WaitFinalAsync(Http, created.GetProperty("id").GetString()!);
    }

    [Test]
    public async Task Multipart_create_takes_form_fields()
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("a lighthouse"), "prompt");
        form.Add(new StringContent("64x64"), "size");
        form.Add(new StringContent("1"), "num_inference_steps");
        form.Add(new StringContent("5"), "num_frames");
        using var response = await Http.PostAsync("/v1/videos", form);
        var created = await Calls.JsonOf(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), created.ToString());
        Assert.That(created.GetProperty("num_frames").GetInt32(), Is.EqualTo(5));
        Assert.That(created.GetProperty("has_input_reference").GetBoolean(), Is.False);
        var done = await Calls.WaitFinalAsync(Http, created.GetProperty("id").GetString()!);
        Assert.That(done.GetProperty("status").GetString(), Is.EqualTo("completed"), done.ToString());
    }

    [Test]
    public async Task An_input_reference_for_a_text_to_video_model_is_refused_before_queuing()
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("a lighthouse"), "prompt");
        form.Add(new StringContent("64x64"), "size");
        var png = new ByteArrayContent(TinyPng());
        png.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(png, "input_reference", "ref.png");
        using var response = await Http.PostAsync("/v1/videos", form);
        var body = await Calls.JsonOf(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        var error = body.GetProperty("error");
        Assert.That(error.GetProperty("param").GetString(), Is.EqualTo("input_reference"));
        Assert.That(error.GetProperty("message").GetString(), Does.Contain("text-to-video"));
        string uploads = Path.Combine(_server.Data, "uploads");
        Assert.That(Directory.Exists(uploads) ? Directory.GetFiles(uploads) : Array.Empty<string>(), Is.Empty, "nothing stored for a refused request");
    }

    static byte[] TinyPng()
    {
        using var bitmap = new SkiaSharp.SKBitmap(8, 8);
        bitmap.Erase(SkiaSharp.SKColors.OrangeRed);
        using var image = SkiaSharp.SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    [Test]
    public async Task List_pages_with_after_limit_and_order()
    {
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            var v = await Calls.CreateAsync(Http, Calls.TinyJob(seed: 100 + i));
            ids.Add(v.GetProperty("id").GetString()!);
            await Calls.WaitFinalAsync(Http, ids[^1]);
        }
        var all = new List<string>();
        string? after = null;
        for (int page = 0; page < 100; page++)
        {
            var list = await Calls.GetAsync(Http, "/v1/videos?limit=1&order=asc" + (after is null ? "" : "&after=" + after));
            Assert.That(list.GetProperty("object").GetString(), Is.EqualTo("list"));
            var data = list.GetProperty("data");
            Assert.That(data.GetArrayLength(), Is.LessThanOrEqualTo(1));
            if (data.GetArrayLength() == 1)
            {
                all.Add(data[0].GetProperty("id").GetString()!);
                Assert.That(list.GetProperty("first_id").GetString(), Is.EqualTo(all[^1]));
                Assert.That(list.GetProperty("last_id").GetString(), Is.EqualTo(all[^1]));
            }
            if (!list.GetProperty("has_more").GetBoolean()) break;
            after = list.GetProperty("last_id").GetString();
        }
        Assert.That(all.Distinct().Count(), Is.EqualTo(all.Count), "no job twice");
        Assert.That(ids.Select(id => all.IndexOf(id)), Is.Ordered.And.All.GreaterThanOrEqualTo(0), "ascending in creation order");

        var desc = await Calls.GetAsync(Http, "/v1/videos?limit=100");
        var descIds = desc.GetProperty("data").EnumerateArray().Select(v => v.GetProperty("id").GetString()!).ToList();
        Assert.That(descIds, Is.EqualTo(Enumerable.Reverse(all).ToList()), "desc is the default and reverses asc");
    }

    [TestCase("limit=0", "limit")]
    [TestCase("limit=101", "limit")]
    [TestCase("limit=abc", "limit")]
    [TestCase("order=up", "order")]
    [TestCase("after=../../etc/passwd", "after")]
    [TestCase("after=video_00000000000000000000000000000000", "after")]
    [TestCase("color=red", "color")]
    public async Task List_refuses_bad_query_parameters(string query, string param)
    {
        using var response = await Http.GetAsync("/v1/videos?" + query);
        await Calls.AssertErrorAsync(response, 400, param: param);
    }

    [Test]
    public async Task Retrieve_delete_and_content_of_unknown_or_malformed_ids_are_404()
    {
        foreach (string id in new[] { "video_0123456789abcdef0123456789abcdef", "video_XYZ", "..%2F..%2Fjobs.db", "video_0123456789abcdef0123456789abcdef%0A" })
        {
            foreach (var (method, path) in new[] { (HttpMethod.Get, ""), (HttpMethod.Delete, ""), (HttpMethod.Get, "/content"), (HttpMethod.Post, "/cancel"), (HttpMethod.Get, "/events") })
            {
                using var response = await Http.SendAsync(new HttpRequestMessage(method, $"/v1/videos/{id}{path}"));
                await Calls.AssertErrorAsync(response, 404);
            }
        }
    }

    [Test]
    public async Task Delete_returns_the_deleted_object_and_removes_the_files()
    {
        var v = await Calls.CreateAsync(Http, Calls.TinyJob());
        string id = v.GetProperty("id").GetString()!;
        await Calls.WaitFinalAsync(Http, id);
        var files = Directory.GetFiles(Path.Combine(_server.Data, "videos"), id + ".*");
        Assert.That(files, Has.Length.EqualTo(2), "video and thumbnail");
        using var response = await Http.DeleteAsync($"/v1/videos/{id}");
        var body = await Calls.JsonOf(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body.GetProperty("id").GetString(), Is.EqualTo(id));
        Assert.That(body.GetProperty("object").GetString(), Is.EqualTo("video.deleted"));
        Assert.That(body.GetProperty("deleted").GetBoolean(), Is.True);
        Assert.That(files.Where(File.Exists), Is.Empty);
        using var again = await Http.GetAsync($"/v1/videos/{id}");
        await Calls.AssertErrorAsync(again, 404);
        using var twice = await Http.DeleteAsync($"/v1/videos/{id}");
        await Calls.AssertErrorAsync(twice, 404);
    }

    [Test]
    public async Task Range_requests_return_206_with_the_requested_bytes()
    {
        var v = await Calls.CreateAsync(Http, Calls.TinyJob());
        string id = v.GetProperty("id").GetString()!;
        await Calls.WaitFinalAsync(Http, id);
        var whole = await Http.GetByteArrayAsync($"/v1/videos/{id}/content");

        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/videos/{id}/content");
        request.Headers.Range = new RangeHeaderValue(10, 99);
        using var part = await Http.SendAsync(request);
        Assert.That(part.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(part.Content.Headers.ContentRange?.ToString(), Is.EqualTo($"bytes 10-99/{whole.Length}"));
        Assert.That(await part.Content.ReadAsByteArrayAsync(), Is.EqualTo(whole[10..100]));

        var tail = new HttpRequestMessage(HttpMethod.Get, $"/v1/videos/{id}/content");
        tail.Headers.Range = new RangeHeaderValue(null, 16);
        using var end = await Http.SendAsync(tail);
        Assert.That(end.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(await end.Content.ReadAsByteArrayAsync(), Is.EqualTo(whole[^16..]));

        var beyond = new HttpRequestMessage(HttpMethod.Get, $"/v1/videos/{id}/content");
        beyond.Headers.Range = new RangeHeaderValue(whole.Length + 10, whole.Length + 20);
        using var unsatisfiable = await Http.SendAsync(beyond);
        Assert.That(unsatisfiable.StatusCode, Is.EqualTo(HttpStatusCode.RequestedRangeNotSatisfiable));
        Assert.That(part.Headers.AcceptRanges.ToString(), Is.EqualTo("bytes"));
    }

    [Test]
    public async Task Content_is_404_until_completed_cancel_fails_a_running_job_and_the_queue_is_bounded()
    {
        // A long job occupies the only worker; with it running, the queue (MaxQueue = 2) takes two more, then 429.
        var longJob = await Calls.CreateAsync(Http, Calls.LongJob());
        string id = longJob.GetProperty("id").GetString()!;
        await Calls.WaitUntilAsync(Http, id, v => v.GetProperty("status").GetString() == "in_progress", TimeSpan.FromSeconds(30));
        using (var early = await Http.GetAsync($"/v1/videos/{id}/content"))
            await Calls.AssertErrorAsync(early, 404, code: "video_not_ready");

        var queued = new List<string>();
        for (int i = 0; i < 2; i++) queued.Add((await Calls.CreateAsync(Http, Calls.TinyJob(seed: 500 + i))).GetProperty("id").GetString()!);
        using (var full = await Http.PostAsync("/v1/videos", Calls.JsonBody(Calls.TinyJob())))
        {
            await Calls.AssertErrorAsync(full, 429, code: "queue_full");
            Assert.That(full.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        }

        // Cancel a queued job: failed at once with code cancelled; it never runs.
        using (var cancelQueued = await Http.PostAsync($"/v1/videos/{queued[1]}/cancel", null))
        {
            var body = await Calls.JsonOf(cancelQueued);
            Assert.That(cancelQueued.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("failed"));
            Assert.That(body.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("cancelled"));
        }

        // Cancel the running job: it stops between steps (well before its 1000 steps).
        await Calls.WaitUntilAsync(Http, id, v => v.GetProperty("progress").GetInt32() > 5, TimeSpan.FromSeconds(30));
        using (var cancel = await Http.PostAsync($"/v1/videos/{id}/cancel", null))
        {
            var body = await Calls.JsonOf(cancel);
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("failed"), body.ToString());
            Assert.That(body.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("cancelled"));
        }
        var next = await Calls.WaitFinalAsync(Http, queued[0]);
        Assert.That(next.GetProperty("status").GetString(), Is.EqualTo("completed"), "the worker moved on after the cancellation");
        var cancelled = await Calls.GetAsync(Http, $"/v1/videos/{id}");
        Assert.That(cancelled.GetProperty("progress").GetInt32(), Is.LessThan(90), "stopped during denoising");
        Assert.That(cancelled.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("cancelled"));

        using var again = await Http.PostAsync($"/v1/videos/{id}/cancel", null);
        await Calls.AssertErrorAsync(again, 409, code: "video_not_cancellable");
        using var skipped = await Http.GetAsync($"/v1/videos/{queued[1]}");
        Assert.That((await Calls.JsonOf(skipped)).GetProperty("attempts").GetInt32(), Is.EqualTo(0), "a cancelled queued job never ran");
    }

    [Test]
    public async Task Events_stream_progress_then_completed_and_end()
    {
        // A long job holds the worker until the stream is open, so the stream sees the whole run.
        string blocker = (await Calls.CreateAsync(Http, Calls.LongJob())).GetProperty("id").GetString()!;
        var v = await Calls.CreateAsync(Http, Calls.TinyJob(steps: 4));
        string id = v.GetProperty("id").GetString()!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await Http.GetAsync($"/v1/videos/{id}/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var cancel = await Http.PostAsync($"/v1/videos/{blocker}/cancel", null))
            Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        var events = await Sse.ReadAllAsync(response, cts.Token);
        Assert.That(events.Count, Is.GreaterThan(2));
        Assert.That(events[^1].Kind, Is.EqualTo("video.completed"), string.Join("\n", events));
        Assert.That(events[^1].Data.GetProperty("id").GetString(), Is.EqualTo(id));
        Assert.That(events[^1].Data.GetProperty("progress").GetInt32(), Is.EqualTo(100));
        var progress = events.Where(e => e.Kind == "video.progress").Select(e => e.Data.GetProperty("progress").GetInt32()).ToList();
        Assert.That(progress, Is.Ordered, "progress never goes back");
        var steps = events.Where(e => e.Kind == "video.progress" && e.Data.GetProperty("steps").GetInt32() == 4).Select(e => e.Data.GetProperty("step").GetInt32()).ToList();
        Assert.That(steps, Is.EqualTo(new[] { 1, 2, 3, 4 }), "one event per denoising step with step/steps");
        Assert.That(progress.Distinct().Count(), Is.GreaterThanOrEqualTo(5), "progress moves through the steps and decoding");
        Assert.That(events.Any(e => e.Kind == "video.progress" && e.Data.GetProperty("stage").GetString() == "decoding"), Is.True);
        // The VAE's chunks move progress from 90 to 95 (the tiny model's 9 frames are 3 latent frames).
        var chunks = events.Where(e => e.Kind == "video.progress" && e.Data.GetProperty("stage").GetString() == "decoding" && e.Data.GetProperty("steps").GetInt32() > 0)
            .Select(e => (Chunk: e.Data.GetProperty("step").GetInt32(), Of: e.Data.GetProperty("steps").GetInt32(), Progress: e.Data.GetProperty("progress").GetInt32())).ToList();
        Assert.That(chunks.Select(c => c.Chunk), Is.EqualTo(new[] { 1, 2, 3 }), "one event per decoded chunk");
        Assert.That(chunks.Select(c => c.Progress), Is.All.InRange(91, 95));
        Assert.That(chunks.Select(c => c.Progress), Is.Ordered);
        Assert.That(chunks[^1].Progress, Is.EqualTo(95));

        // A stream opened after the end gives the final event at once.
        using var late = await Http.GetAsync($"/v1/videos/{id}/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        var lateEvents = await Sse.ReadAllAsync(late, cts.Token);
        Assert.That(lateEvents.Select(e => e.Kind), Is.EqualTo(new[] { "video.completed" }));
    }

    [Test]
    public async Task Events_send_keep_alives_while_a_job_waits()
    {
        // A long job holds the only worker, so the second one waits in the queue with nothing to report.
        string running = (await Calls.CreateAsync(Http, Calls.LongJob())).GetProperty("id").GetString()!;
        string waiting = (await Calls.CreateAsync(Http, Calls.TinyJob())).GetProperty("id").GetString()!;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var response = await Http.GetAsync($"/v1/videos/{waiting}/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
            var lines = new List<string>();
            // Keep-alive is 1 s in the tests (15 s by default).
            for (int i = 0; i < 100 && !lines.Contains(": keep-alive"); i++)
                if (await reader.ReadLineAsync(cts.Token) is string line) lines.Add(line);
                else break;
            Assert.That(lines, Does.Contain(": keep-alive"), string.Join("\n", lines));
            Assert.That(lines[0], Is.EqualTo("event: video.progress"), "the stream starts with the job's state");
        }
        finally
        {
            foreach (var id in new[] { waiting, running })
            {
                using var _ = await Http.PostAsync($"/v1/videos/{id}/cancel", null);
                await Calls.WaitFinalAsync(Http, id);
            }
        }
    }

    [Test]
    public async Task Models_health_openapi_and_the_page_answer()
    {
        var models = await Calls.GetAsync(Http, "/v1/models");
        Assert.That(models.GetProperty("object").GetString(), Is.EqualTo("list"));
        Assert.That(models.GetProperty("data")[0].GetProperty("id").GetString(), Is.EqualTo("wan-t2v-tiny"));
        Assert.That(models.GetProperty("data")[0].GetProperty("object").GetString(), Is.EqualTo("model"));
        Assert.That((await Calls.GetAsync(Http, "/health/live")).GetProperty("status").GetString(), Is.EqualTo("live"));
        Assert.That((await Calls.GetAsync(Http, "/health/ready")).GetProperty("status").GetString(), Is.EqualTo("ready"));
        var openapi = await Calls.GetAsync(Http, "/openapi/v1.json");
        var paths = openapi.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(paths, Is.SupersetOf(new[] { "/v1/videos", "/v1/videos/{id}", "/v1/videos/{id}/content", "/v1/videos/{id}/cancel", "/v1/videos/{id}/events", "/v1/models" }));
        string page = await Http.GetStringAsync("/");
        Assert.That(page, Does.Contain("<form id=\"create\"").And.Contain("/app.js"));
        Assert.That(await Http.GetStringAsync("/app.js"), Does.Contain("/v1/videos"));
    }

    [TestCase("""{"prompt": ""}""", "prompt")]
    [TestCase("""{}""", "prompt")]
    [TestCase("""{"prompt": 5}""", "prompt")]
    [TestCase("""{"prompt": "x", "size": "64"}""", "size")]
    [TestCase("""{"prompt": "x", "size": "70x64"}""", "size")]
    [TestCase("""{"prompt": "x", "seconds": "-1"}""", "seconds")]
    [TestCase("""{"prompt": "x", "num_frames": 0}""", "num_frames")]
    [TestCase("""{"prompt": "x", "num_frames": 1.5}""", "num_frames")]
    [TestCase("""{"prompt": "x", "num_inference_steps": 0}""", "num_inference_steps")]
    [TestCase("""{"prompt": "x", "guidance_scale": "big"}""", "guidance_scale")]
    [TestCase("""{"prompt": "x", "guidance_scale_2": 3}""", "guidance_scale_2")]
    [TestCase("""{"prompt": "x", "vsa_sparsity": 1.5}""", "vsa_sparsity")]
    [TestCase("""{"prompt": "x", "seed": -1}""", "seed")]
    [TestCase("""{"prompt": "x", "fps": 0}""", "fps")]
    [TestCase("""{"prompt": "x", "size": "1280x720", "num_frames": 1001}""", "num_frames")]
    [TestCase("""{"prompt": "x", "input_reference": {"image_url": "https://example.com/a.png"}}""", "input_reference")]
    [TestCase("""{"prompt": "x", "input_reference": {"image_url": "data:image/png;base64,AAAA"}}""", "input_reference")]
    [TestCase("""{"prompt": "x", "output_path": "/etc"}""", "output_path")]
    [TestCase("""{"prompt": "x", "prompt": "y"}""", "prompt")]
    public async Task Create_refuses_bad_fields_naming_the_param(string body, string param)
    {
        using var response = await Http.PostAsync("/v1/videos", Calls.JsonBody(body));
        await Calls.AssertErrorAsync(response, 400, param: param);
    }

    [Test]
    public async Task Create_refuses_an_unknown_model_too_long_prompts_big_bodies_and_other_content_types()
    {
        using (var model = await Http.PostAsync("/v1/videos", Calls.JsonBody("""{"prompt": "x", "model": "sora-2"}""")))
            await Calls.AssertErrorAsync(model, 404, code: "model_not_found", param: "model");
        using (var prompt = await Http.PostAsync("/v1/videos", Calls.JsonBody(JsonSerializer.Serialize(new { prompt = new string('a', 32_001) }))))
            await Calls.AssertErrorAsync(prompt, 400, param: "prompt");
        // Expect: 100-continue lets the server refuse the body before it is sent (otherwise the client may still be
        // writing when the connection closes after the 413).
        var tooBig = new HttpRequestMessage(HttpMethod.Post, "/v1/videos") { Content = Calls.JsonBody(JsonSerializer.Serialize(new { prompt = new string('a', 17 << 20) })) };
        tooBig.Headers.ExpectContinue = true;
        using (var big = await Http.SendAsync(tooBig))
            await Calls.AssertErrorAsync(big, 413);
        using (var text = await Http.PostAsync("/v1/videos", new StringContent("prompt=x", Encoding.UTF8, "text/plain")))
            await Calls.AssertErrorAsync(text, 415);
        using (var broken = await Http.PostAsync("/v1/videos", Calls.JsonBody("""{"prompt": "x",""")))
            await Calls.AssertErrorAsync(broken, 400, code: "invalid_json");
        using var form = new MultipartFormDataContent { { new StringContent("x"), "prompt" }, { new ByteArrayContent(new byte[] { 1, 2, 3 }), "input_reference", "a.png" } };
        using (var notImage = await Http.PostAsync("/v1/videos", form))
            await Calls.AssertErrorAsync(notImage, 400, code: "invalid_image", param: "input_reference");
    }

    [Test]
    public async Task Invalid_utf8_inside_a_json_string_is_a_400_not_a_500()
    {
        // The JSON reader accepts such a body and fails only when the string is read: found by the fuzz test.
        var bytes = Encoding.UTF8.GetBytes("{\"prompt\":\"ab").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("\"}")).ToArray();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Http.PostAsync("/v1/videos", content);
        await Calls.AssertErrorAsync(response, 400, code: "invalid_json");
    }

    [Test]
    public async Task Unknown_routes_and_methods_get_the_envelope()
    {
        using (var route = await Http.GetAsync("/v1/nothing"))
            await Calls.AssertErrorAsync(route, 404);
        using (var method = await Http.PutAsync("/v1/videos", Calls.JsonBody("{}")))
            await Calls.AssertErrorAsync(method, 405);
        using var variant = await Http.GetAsync("/v1/videos/video_0123456789abcdef0123456789abcdef/content?variant=spritesheet");
        await Calls.AssertErrorAsync(variant, 404);
    }
}
