using System.Text.Json;
using FastVideo.Onnx.Server.Jobs;
using FastVideo.Onnx.Server.Security;
using Microsoft.AspNetCore.Http.Features;

namespace FastVideo.Onnx.Server.Api;

/// <summary>
/// <c>GET /v1/videos/{id}/events</c>: Server-Sent Events for one job. It starts with the job's stored state, then
/// follows it: <c>video.progress</c> (progress, stage, step, steps), ending with <c>video.completed</c> or
/// <c>video.failed</c> (the video object) or <c>video.deleted</c>; a keep-alive comment every keep-alive period.
/// The stream also ends when the server shuts down.
/// </summary>
internal sealed class EventStream(IJobService store, IReadOnlyList<ServedModel> models, ServerOptions options)
{
    public async Task RunAsync(HttpContext c, string id)
    {
        string owner = ApiKeyMiddleware.Owner(c);
        using var subscription = store.Watch(id);
        var job = await store.GetAsync(id, owner).ConfigureAwait(false) ?? throw ApiException.NotFound($"no video '{id}'");
        var stopping = c.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(c.RequestAborted, stopping);
        var token = ended.Token;

        c.Response.ContentType = "text/event-stream";
        c.Response.Headers.CacheControl = "no-cache";
        c.Response.Headers["X-Accel-Buffering"] = "no";
        c.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            if (await WriteStateAsync(c, job, token).ConfigureAwait(false)) return;
            var keepAlive = TimeSpan.FromSeconds(Math.Max(1, options.KeepAliveSeconds));
            while (!token.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(token);
                wait.CancelAfter(keepAlive);
                bool more;
                try
                {
                    more = await subscription.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    await c.Response.WriteAsync(": keep-alive\n\n", token).ConfigureAwait(false);
                    await c.Response.Body.FlushAsync(token).ConfigureAwait(false);
                    // A missed event (a subscriber that joined while the job ended) cannot keep the stream open: re-read the state.
                    var now = await store.GetAsync(id, owner).ConfigureAwait(false);
                    if (now is null || JobStatus.IsFinal(now.Status))
                    {
                        await WriteFinalAsync(c, id, owner, token).ConfigureAwait(false);
                        return;
                    }
                    continue;
                }
                if (!more) return;
                while (subscription.Reader.TryRead(out var e))
                {
                    if (e.IsFinal)
                    {
                        await WriteFinalAsync(c, id, owner, token).ConfigureAwait(false);
                        return;
                    }
                    await WriteEventAsync(c, JobEvent.ProgressKind, Progress(e.JobId, e.Progress, e.Stage, e.Step, e.Steps), token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client left or the server is stopping: the stream just ends.
        }
    }

    static Dictionary<string, object?> Progress(string id, int progress, string? stage, int step, int steps) => new()
    {
        ["id"] = id,
        ["object"] = "video.progress",
        ["progress"] = progress,
        ["stage"] = stage,
        ["step"] = step,
        ["steps"] = steps,
    };

    /// <summary>Writes the job's stored state: its final event (true: the stream is over) or its current progress.</summary>
    async Task<bool> WriteStateAsync(HttpContext c, VideoJob job, CancellationToken token)
    {
        if (JobStatus.IsFinal(job.Status))
        {
            await WriteFinalAsync(c, job.Id, job.Owner, token).ConfigureAwait(false);
            return true;
        }
        await WriteEventAsync(c, JobEvent.ProgressKind, Progress(job.Id, job.Progress, job.Stage, 0, 0), token).ConfigureAwait(false);
        return false;
    }

    async Task WriteFinalAsync(HttpContext c, string id, string owner, CancellationToken token)
    {
        var job = await store.GetAsync(id, owner).ConfigureAwait(false);
        if (job is null)
        {
            await WriteEventAsync(c, "video.deleted", new Dictionary<string, object?> { ["id"] = id, ["object"] = "video.deleted", ["deleted"] = true }, token).ConfigureAwait(false);
            return;
        }
        if (!JobStatus.IsFinal(job.Status)) return; // queued again (shutdown): the client reconnects
        var video = VideoObject.Of(job, models.FirstOrDefault(m => m.Name == job.Model));
        await WriteEventAsync(c, job.Status == JobStatus.Completed ? JobEvent.CompletedKind : JobEvent.FailedKind, video, token).ConfigureAwait(false);
    }

    static async Task WriteEventAsync(HttpContext c, string kind, object data, CancellationToken token)
    {
        await c.Response.WriteAsync($"event: {kind}\ndata: {JsonSerializer.Serialize(data)}\n\n", token).ConfigureAwait(false);
        await c.Response.Body.FlushAsync(token).ConfigureAwait(false);
    }
}
