using Microsoft.Extensions.Logging;

namespace FastVideo.Onnx.Server.Tests.Support;

/// <summary>An in-process server of the tiny model on 127.0.0.1 and a free port, with its own data folder.</summary>
public sealed class TestServer : IAsyncDisposable
{
    readonly TempFolder? _ownData;

    public VideoServer Server { get; }
    public HttpClient Http { get; }
    public string Data { get; }

    TestServer(VideoServer server, string data, TempFolder? ownData)
    {
        Server = server;
        Data = data;
        _ownData = ownData;
        Http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public static ServerOptions Defaults(string data) => new()
    {
        Port = 0,
        Data = data,
        Models = new[] { TinyModel.Spec },
        RateLimitPerMinute = 0,
        KeepAliveSeconds = 1,
        SweepSeconds = 3600,
        ShutdownTimeoutSeconds = 5,
    };

    public static async Task<TestServer> StartAsync(Func<ServerOptions, ServerOptions>? configure = null, string? data = null, bool waitReady = true)
    {
        var own = data is null ? new TempFolder() : null;
        string folder = data ?? own!.Path;
        var options = Defaults(folder);
        if (configure is not null) options = configure(options);
        VideoServer? server = null;
        try
        {
            server = VideoServer.Create(options, options.Models.Select(ServedModel.Open).ToList(),
                logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
            await server.StartAsync();
            var test = new TestServer(server, folder, own);
            if (!waitReady) return test;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                using var ready = await test.Http.GetAsync("/health/ready");
                if (ready.IsSuccessStatusCode) return test;
                await Task.Delay(50);
            }
            await test.DisposeAsync();
            throw new TimeoutException("the test server did not become ready within 60 s");
        }
        catch
        {
            if (server is not null) await server.DisposeAsync();
            own?.Dispose();
            throw;
        }
    }

    public T Service<T>() where T : notnull => (T)Server.Services.GetService(typeof(T))!;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            await Server.StopAsync();
        }
        finally
        {
            await Server.DisposeAsync();
            _ownData?.Dispose();
        }
    }
}
