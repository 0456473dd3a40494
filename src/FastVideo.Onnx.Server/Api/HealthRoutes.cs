using FastVideo.Onnx.Server.Workers;

namespace FastVideo.Onnx.Server.Api;

/// <summary>
/// <c>/health/live</c> (the process answers) and <c>/health/ready</c> (every worker has loaded its models and the
/// server is not stopping; 503 otherwise). Neither needs an API key.
/// </summary>
public static class HealthRoutes
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => Results.Json(new { status = "live" })).WithName("Live");
        app.MapGet("/health/ready", (WorkerPool pool, IHostApplicationLifetime lifetime) =>
        {
            var errors = pool.LoadErrors.ToList();
            bool ready = pool.Ready && errors.Count == 0 && !lifetime.ApplicationStopping.IsCancellationRequested;
            var body = new
            {
                status = ready ? "ready" : lifetime.ApplicationStopping.IsCancellationRequested ? "stopping" : errors.Count > 0 ? "degraded" : "loading",
                workers = pool.Workers.Select(w => new { name = w.Name, ready = w.Ready, models = w.LoadedModels, running = w.RunningJob }).ToList(),
                errors,
            };
            return Results.Json(body, statusCode: ready ? 200 : 503);
        }).WithName("Ready");
    }
}
