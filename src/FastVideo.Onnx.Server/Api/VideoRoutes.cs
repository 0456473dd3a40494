using System.Globalization;
using FastVideo.Onnx.Runtime.Output;
using FastVideo.Onnx.Server.Jobs;
using FastVideo.Onnx.Server.Security;
using FastVideo.Onnx.Server.Workers;

namespace FastVideo.Onnx.Server.Api;

/// <summary>The <c>/v1</c> routes: OpenAI's Videos API (create, list, retrieve, delete, content) and its extensions (cancel, events, models).</summary>
internal sealed class VideoRoutes(IReadOnlyList<ServedModel> models, IJobService store, WorkerPool pool, ServerOptions options, ILogger<VideoRoutes> log)
{
    readonly VideoRequestBuilder _builder = new(models, options);

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/videos", (Func<HttpContext, Task<IResult>>)Create).WithName("CreateVideo").DisableAntiforgery();
        app.MapGet("/v1/videos", (Func<HttpContext, Task<IResult>>)List).WithName("ListVideos");
        app.MapGet("/v1/videos/{id}", (Func<HttpContext, string, Task<IResult>>)Retrieve).WithName("RetrieveVideo");
        app.MapDelete("/v1/videos/{id}", (Func<HttpContext, string, Task<IResult>>)Delete).WithName("DeleteVideo");
        app.MapGet("/v1/videos/{id}/content", (Func<HttpContext, string, Task<IResult>>)Content).WithName("DownloadVideoContent");
        app.MapPost("/v1/videos/{id}/cancel", (Func<HttpContext, string, Task<IResult>>)Cancel).WithName("CancelVideo");
        app.MapGet("/v1/videos/{id}/events", (HttpContext c, string id) => new EventStream(store, models, options).RunAsync(c, Checked(id)))
            .WithName("VideoEvents");
        app.MapGet("/v1/models", ListModels).WithName("ListModels");
    }

    ServedModel? ModelOf(VideoJob job) => models.FirstOrDefault(m => m.Name == job.Model);

    static string Checked(string id) => JobIds.IsValid(id) ? id : throw ApiException.NotFound($"no video {ErrorEnvelope.Quote(id)} (ids look like video_ and 32 hex digits)");

    async Task<VideoJob> FindAsync(HttpContext c, string id) =>
        await store.GetAsync(Checked(id), ApiKeyMiddleware.Owner(c)).ConfigureAwait(false) ?? throw ApiException.NotFound($"no video '{id}'");

    async Task<IResult> Create(HttpContext c)
    {
        var fields = await CreateVideoFields.ReadAsync(c.Request, options, c.RequestAborted).ConfigureAwait(false);
        var built = _builder.Build(fields);
        if (!pool.CanServe(built.Model.Name))
            throw new ApiException(503, "server_error", $"model '{built.Model.Name}' could not be loaded on any device: {string.Join("; ", pool.LoadErrors)}", "model", "model_unavailable")
            {
                RetryAfterSeconds = 60,
            };
        string id = JobIds.New();
        string? image = null;
        if (built.Image is not null)
        {
            Directory.CreateDirectory(Path.Combine(store.DataFolder, JobFiles.UploadsFolder));
            image = Path.Combine(JobFiles.UploadsFolder, id + built.ImageExtension);
            AtomicFile.Write(Path.Combine(store.DataFolder, image), temp => File.WriteAllBytes(temp, built.Image));
        }
        var job = new VideoJob
        {
            Id = id,
            Owner = ApiKeyMiddleware.Owner(c),
            Model = built.Model.Name,
            Status = JobStatus.Queued,
            CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            Spec = built.Spec with { Image = image },
        };
        if (!await store.TryEnqueueAsync(job, options.MaxQueue).ConfigureAwait(false))
        {
            JobFiles.Delete(store.DataFolder, image);
            throw new ApiException(429, "rate_limit_error", $"the queue is full ({options.MaxQueue} jobs waiting); try again later", null, "queue_full")
            {
                RetryAfterSeconds = 10,
            };
        }
        log.LogInformation("job {JobId} queued for {Model}: {Size}, {Frames} frames", id, job.Model, $"{job.Spec.Width}x{job.Spec.Height}", job.Spec.NumFrames);
        return Results.Json(VideoObject.Of(job, built.Model));
    }

    async Task<IResult> List(HttpContext c)
    {
        var q = c.Request.Query;
        foreach (var key in q.Keys)
            if (key is not ("after" or "limit" or "order"))
                throw ApiException.Invalid(ErrorEnvelope.Quote(key).Trim('\''), $"unknown query parameter {ErrorEnvelope.Quote(key)} (known: after, limit, order)", "unknown_parameter");
        int limit = 20;
        if (Single(q, "limit") is string l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
            throw ApiException.Invalid("limit", $"limit: {ErrorEnvelope.Quote(l)} is not an integer in [1, 100]");
        string order = Single(q, "order") ?? "desc";
        if (order is not ("asc" or "desc")) throw ApiException.Invalid("order", $"order: {ErrorEnvelope.Quote(order)} is not asc or desc");
        string? after = Single(q, "after");
        if (after is not null && !JobIds.IsValid(after)) throw ApiException.Invalid("after", $"after: {ErrorEnvelope.Quote(after)} is not a video id");
        var page = await store.ListAsync(ApiKeyMiddleware.Owner(c), after, limit, order == "desc").ConfigureAwait(false)
                   ?? throw ApiException.Invalid("after", $"after: no video '{after}'");
        return Results.Json(new Dictionary<string, object?>
        {
            ["object"] = "list",
            ["data"] = page.Jobs.Select(j => VideoObject.Of(j, ModelOf(j))).ToList(),
            ["first_id"] = page.Jobs.FirstOrDefault()?.Id,
            ["last_id"] = page.Jobs.LastOrDefault()?.Id,
            ["has_more"] = page.HasMore,
        });
    }

    static string? Single(IQueryCollection q, string name)
    {
        if (!q.TryGetValue(name, out var values)) return null;
        if (values.Count != 1) throw ApiException.Invalid(name, $"{name}: given {values.Count} times", "duplicate_parameter");
        return values[0];
    }

    async Task<IResult> Retrieve(HttpContext c, string id)
    {
        var job = await FindAsync(c, id).ConfigureAwait(false);
        return Results.Json(VideoObject.Of(job, ModelOf(job)));
    }

    async Task<IResult> Delete(HttpContext c, string id)
    {
        var job = await store.DeleteAsync(Checked(id), ApiKeyMiddleware.Owner(c)).ConfigureAwait(false) ?? throw ApiException.NotFound($"no video '{id}'");
        pool.Cancel(job.Id);
        JobFiles.DeleteAll(store.DataFolder, job);
        log.LogInformation("job {JobId} deleted", job.Id);
        return Results.Json(new Dictionary<string, object?> { ["id"] = job.Id, ["object"] = "video.deleted", ["deleted"] = true });
    }

    async Task<IResult> Content(HttpContext c, string id)
    {
        var job = await FindAsync(c, id).ConfigureAwait(false);
        foreach (var key in c.Request.Query.Keys)
            if (key != "variant") throw ApiException.Invalid(ErrorEnvelope.Quote(key).Trim('\''), $"unknown query parameter {ErrorEnvelope.Quote(key)} (known: variant)", "unknown_parameter");
        string variant = Single(c.Request.Query, "variant") ?? "video";
        if (variant is not ("video" or "thumbnail"))
            throw ApiException.Invalid("variant", $"variant: {ErrorEnvelope.Quote(variant)} is not offered (video or thumbnail)");
        if (job.Status != JobStatus.Completed)
            throw new ApiException(404, "invalid_request_error", $"video '{job.Id}' is {job.Status}; its content exists once it is completed", null, "video_not_ready");
        string? relative = variant == "video" ? job.Output : job.Thumbnail;
        if (JobFiles.Resolve(store.DataFolder, relative) is not string path || !File.Exists(path))
            throw new ApiException(404, "invalid_request_error", $"the {variant} of video '{job.Id}' has expired or was removed", null, "content_expired");
        string type = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".mp4" => "video/mp4",
            ".avi" => "video/x-msvideo",
            ".jpg" => "image/jpeg",
            _ => "application/octet-stream",
        };
        return Results.File(path, type, $"{job.Id}{Path.GetExtension(path)}", enableRangeProcessing: true);
    }

    async Task<IResult> Cancel(HttpContext c, string id)
    {
        var job = await FindAsync(c, id).ConfigureAwait(false);
        if (JobStatus.IsFinal(job.Status))
            throw new ApiException(409, "invalid_request_error", $"video '{job.Id}' is already {job.Status}", null, "video_not_cancellable");
        // The row is failed first, so the answer is final even if the worker is between steps; the worker then stops.
        var now = await store.CancelAsync(job.Id).ConfigureAwait(false) ?? job;
        pool.Cancel(job.Id);
        log.LogInformation("job {JobId} cancelled by request", job.Id);
        return Results.Json(VideoObject.Of(now, ModelOf(now)));
    }

    IResult ListModels() => Results.Json(new Dictionary<string, object?>
    {
        ["object"] = "list",
        ["data"] = models.Select(m => new Dictionary<string, object?>
        {
            ["id"] = m.Name,
            ["object"] = "model",
            ["created"] = m.CreatedAt,
            ["owned_by"] = "fastvideo-onnx",
            ["pipeline"] = m.Pipeline,
            ["default_size"] = $"{m.Defaults.Width}x{m.Defaults.Height}",
            ["default_num_frames"] = m.Defaults.NumFrames,
            ["default_num_inference_steps"] = m.Defaults.Steps,
            ["default_fps"] = m.Defaults.Fps,
        }).ToList(),
    });
}
