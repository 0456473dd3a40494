using System.Net;
using System.Threading.RateLimiting;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Server.Api;
using FastVideo.Onnx.Server.Cluster;
using FastVideo.Onnx.Server.Jobs;
using FastVideo.Onnx.Server.Security;
using FastVideo.Onnx.Server.Telemetry;
using FastVideo.Onnx.Server.Web;
using FastVideo.Onnx.Server.Workers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Metrics;

namespace FastVideo.Onnx.Server;

/// <summary>
/// The video generation server: an ASP.NET Core application with the OpenAI-compatible routes, the SQLite job store
/// under <see cref="ServerOptions.Data"/>, one worker per device and the web page. Build it, start it, and stop it
/// (or dispose it); the address it listens on is <see cref="Address"/> once started.
/// </summary>
public sealed class VideoServer : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly JobStore? _store;

    /// <summary>The options the server was created with.</summary>
    public ServerOptions Options { get; }
    /// <summary>The models it serves.</summary>
    public IReadOnlyList<ServedModel> Models { get; }
    /// <summary>The application's services (job store, workers, ...).</summary>
    public IServiceProvider Services => _app.Services;

    VideoServer(WebApplication app, JobStore? store, ServerOptions options, IReadOnlyList<ServedModel> models)
    {
        _app = app;
        _store = store;
        Options = options;
        Models = models;
    }

    /// <summary>The first address the server listens on (http://host:port), once started.</summary>
    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>
    /// Checks the settings and builds the server. Without API keys, a non-loopback <see cref="ServerOptions.Host"/>
    /// is refused unless <see cref="ServerOptions.AllowAnonymous"/>. With <paramref name="cluster"/>, the process is a
    /// silo of an Orleans cluster: jobs live in grains shared by every silo, and this silo's devices run any silo's jobs.
    /// </summary>
    public static VideoServer Create(ServerOptions options, IReadOnlyList<ServedModel> models, Action<ILoggingBuilder>? logging = null, ClusterSettings? cluster = null)
    {
        if (models.Count == 0) throw new InvalidRequestException("--model", "no model to serve");
        if (models.Select(m => m.Name).Distinct(StringComparer.Ordinal).Count() != models.Count)
            throw new InvalidRequestException("--model", $"two models have the same name ({string.Join(", ", models.Select(m => m.Name))}); name them with NAME=DIR");
        if (options.Port is < 0 or > 65535) throw new InvalidRequestException("--port", $"{options.Port} is not a port number");
        if (options.MaxQueue < 1) throw new InvalidRequestException("--max-queue", $"{options.MaxQueue} must be at least 1");
        DeviceList.Parse(options.Devices, options.Threads, options.DevicesPerWorker, options.Parallelism); // checked here: a bad list stops the server before it binds
        var keys = options.ApiKeys is null ? null : ApiKeyFile.Load(options.ApiKeys);
        var address = ListenAddress(options.Host);
        Uri? otlpEndpoint = null;
        if (options.OtlpEndpoint is string otlp && !Uri.TryCreate(otlp, UriKind.Absolute, out otlpEndpoint))
            throw new InvalidRequestException("OtlpEndpoint", $"'{otlp}' is not an absolute URL");
        if (options.LogFormat is not ("simple" or "json")) throw new InvalidRequestException("LogFormat", $"'{options.LogFormat}' is not simple or json");
        if (keys is null && !IPAddress.IsLoopback(address) && !options.AllowAnonymous)
            throw new InvalidRequestException("--host", $"{options.Host} is reachable from other machines and no --api-keys file is given; pass --api-keys FILE, or --allow-anonymous to serve without keys");

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(VideoServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        if (logging is not null) logging(builder.Logging);
        else if (options.LogFormat == "json") builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        else builder.Logging.AddSimpleConsole(o =>
        {
            o.IncludeScopes = true;
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(address, options.Port);
            k.Limits.MaxRequestBodySize = options.MaxRequestBytes;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            k.AddServerHeader = false;
        });
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(f =>
        {
            f.MultipartBodyLengthLimit = options.MaxRequestBytes;
            f.ValueLengthLimit = options.MaxPromptLength * 4 + 1024;
            f.ValueCountLimit = 64;
            f.KeyLengthLimit = 256;
        });
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownTimeoutSeconds + 15));

        JobStore? store = null;
        if (cluster is null)
        {
            store = JobStore.Open(Path.GetFullPath(options.Data));
            builder.Services.AddSingleton(store);
            builder.Services.AddSingleton(options);
            builder.Services.AddSingleton<IReadOnlyList<ServedModel>>(models);
            builder.Services.AddSingleton<JobEvents>();
            builder.Services.AddSingleton<IJobService, SqliteJobService>();
            builder.Services.AddSingleton<ServerMetrics>();
            builder.Services.AddSingleton<WorkerPool>();
            builder.Services.AddHostedService(s => s.GetRequiredService<WorkerPool>());
            builder.Services.AddSingleton<ExpirySweeper>();
            builder.Services.AddHostedService(s => s.GetRequiredService<ExpirySweeper>());
        }
        else
        {
            Directory.CreateDirectory(options.Data);
            builder.UseOrleans(silo =>
            {
                ClusterSilo.UseMembership(silo, cluster);
                ClusterSilo.AddVideoService(silo, options, cluster, models);
            });
            builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        }
        builder.Services.AddSingleton<VideoRoutes>();
        builder.Services.AddOpenApi();
        if (otlpEndpoint is not null)
            builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(ServerMetrics.MeterName).AddOtlpExporter(o => o.Endpoint = otlpEndpoint));
        if (options.RateLimitPerMinute > 0)
            builder.Services.AddRateLimiter(r =>
            {
                r.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(c => ApiKeyMiddleware.IsPublic(c.Request.Path)
                    ? RateLimitPartition.GetNoLimiter("public")
                    : RateLimitPartition.GetFixedWindowLimiter(PartitionKey(c), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = options.RateLimitPerMinute,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    }));
                r.OnRejected = (context, _) =>
                {
                    int retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 60;
                    return new ValueTask(ErrorEnvelope.WriteAsync(context.HttpContext, new ApiException(429, "rate_limit_error",
                        $"more than {options.RateLimitPerMinute} requests in a minute; retry after {retry} s", null, "rate_limit_exceeded") { RetryAfterSeconds = retry }));
                };
            });

        WebApplication? app = null;
        try
        {
            app = builder.Build();
            Configure(app, options, keys);
            return new VideoServer(app, store, options, models);
        }
        catch
        {
            (app as IDisposable)?.Dispose();
            store?.Dispose();
            throw;
        }
    }

    static void Configure(WebApplication app, ServerOptions options, ApiKeyFile? keys)
    {
        app.UseMiddleware<ErrorMiddleware>();
        app.UseStatusCodePages(async context =>
        {
            var response = context.HttpContext.Response;
            if (response.ContentLength is > 0 || response.ContentType is not null) return;
            await ErrorEnvelope.WriteAsync(context.HttpContext, ErrorEnvelope.ForStatus(response.StatusCode, context.HttpContext.Request.Path.Value ?? ""));
        });
        app.Use(next => new ApiKeyMiddleware(next, keys).InvokeAsync);
        if (options.RateLimitPerMinute > 0) app.UseRateLimiter();

        app.Services.GetRequiredService<VideoRoutes>().Map(app);
        HealthRoutes.Map(app);
        WebPage.Map(app);
        app.MapOpenApi();
    }

    static string PartitionKey(HttpContext c)
    {
        string owner = ApiKeyMiddleware.Owner(c);
        return owner == ApiKeyMiddleware.Anonymous ? "ip:" + c.Connection.RemoteIpAddress : owner;
    }

    static IPAddress ListenAddress(string host)
    {
        if (host == "localhost") return IPAddress.Loopback;
        if (host == "*") return IPAddress.Any;
        return IPAddress.TryParse(host, out var address)
            ? address
            : throw new InvalidRequestException("--host", $"'{host}' is not an IP address (for example 127.0.0.1, 0.0.0.0 or ::1)");
    }

    /// <summary>Starts listening and the workers.</summary>
    public Task StartAsync(CancellationToken cancel = default) => _app.StartAsync(cancel);

    /// <summary>Stops accepting requests and lets running jobs end.</summary>
    public Task StopAsync(CancellationToken cancel = default) => _app.StopAsync(cancel);

    /// <summary>Runs until <paramref name="cancel"/> or a shutdown signal (SIGTERM, Ctrl+C), then stops gracefully.</summary>
    public async Task RunAsync(CancellationToken cancel = default)
    {
        var lifetime = _app.Services.GetRequiredService<IHostApplicationLifetime>();
        using var stop = cancel.Register(lifetime.StopApplication);
        await _app.RunAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the server and releases its workers, pipelines and database.</summary>
    public async ValueTask DisposeAsync()
    {
        // RunAsync has already disposed the application; disposing it again is harmless.
        await _app.DisposeAsync().ConfigureAwait(false);
        _store?.Dispose();
    }
}
