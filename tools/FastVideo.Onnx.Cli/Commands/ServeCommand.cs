using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Configuration;
using FastVideo.Onnx.Server;
using FastVideo.Onnx.Server.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace FastVideo.Onnx.Cli.Commands;

/// <summary><c>fastvideo-onnx serve</c>: the OpenAI-compatible video server; <c>serve keys add</c> creates an API key.</summary>
public static class ServeCommand
{
    public const string Usage = """
        usage: fastvideo-onnx serve [--model [NAME=]DIR]... [--host ADDRESS] [--port N] [--data DIR]
                 [--devices cpu|cuda:0,cuda:1,...] [--api-keys FILE] [--allow-anonymous] [--max-queue N]
                 [--threads N] [--config FILE.json]
               fastvideo-onnx serve keys add --api-keys FILE [--name LABEL]

        Serves OpenAI's Videos API (/v1/videos: create, list, retrieve, delete, content; plus cancel, events and
        /v1/models), health checks and a web page at /. Jobs and outputs live under --data and survive restarts.

          --model DIR        a converted model folder (repeatable; named after the folder, or NAME=DIR); the first is
                             the default. Without --model, the tiny model shipped with the tool (converted on first use)
          --host ADDRESS     default 127.0.0.1; a non-loopback address needs --api-keys (or --allow-anonymous)
          --port N           default 8000 (0: any free port)
          --data DIR         the jobs database and outputs (default ./fastvideo-data)
          --devices LIST     one worker per device (default cpu)
          --api-keys FILE    hashed keys (serve keys add); every route but /health needs Authorization: Bearer KEY,
                             and a key sees only its own jobs
          --max-queue N      queued jobs beyond N are refused with 429 (default 256)
          --threads N        threads per operator on CPU workers
          --config FILE.json settings in a "Server" section (then FASTVIDEO_Server__* environment variables, then
                             these options), e.g. {"Server": {"ExpirySeconds": 3600, "RateLimitPerMinute": 120}}

        SIGTERM or Ctrl+C stops taking jobs, lets running ones finish (ShutdownTimeoutSeconds, default 30, after which
        they are queued again for the next start) and exits 0. See docs/SERVING.md.
        """;

    public static readonly string[] ValueOptions = { "model", "host", "port", "data", "devices", "api-keys", "max-queue", "threads", "config", "name" };
    public static readonly string[] FlagOptions = { "help", "allow-anonymous" };

    static readonly (string Option, string Key)[] ConfigurationOptions =
    {
        ("host", "Host"), ("port", "Port"), ("data", "Data"), ("devices", "Devices"), ("api-keys", "ApiKeys"), ("max-queue", "MaxQueue"), ("threads", "Threads"),
    };

    public static int Run(CommandArgs args, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        if (args.Positionals.Count > 0) return RunKeys(args, stdout);
        foreach (var numeric in new[] { "port", "max-queue", "threads" }) args.Int(numeric);
        if (args.Has("name")) throw new UsageException("--name belongs to 'serve keys add'");

        var options = Options(args);
        void Notice(string message) => stderr.WriteLine($"note: {message}");
        var specs = options.Models.Length > 0 ? options.Models : new[] { $"{EmbeddedModel.Name}={EmbeddedModel.Converted(Notice, cancel)}" };
        var models = specs.Select(ServedModel.Open).ToList();

        var server = VideoServer.Create(options with { Models = specs.ToArray() }, models);
        try
        {
            var lifetime = (IHostApplicationLifetime)server.Services.GetService(typeof(IHostApplicationLifetime))!;
            lifetime.ApplicationStarted.Register(() =>
            {
                stdout.WriteLine($"serving {string.Join(", ", models.Select(m => $"{m.Name} ({m.Pipeline})"))} on {server.Address} " +
                                 $"(devices {options.Devices}, data {Path.GetFullPath(options.Data)}{(options.ApiKeys is null ? ", no API keys" : "")})");
                stdout.Flush();
            });
            server.RunAsync(cancel).GetAwaiter().GetResult();
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        stdout.WriteLine("stopped");
        return 0;
    }

    /// <summary>The Server section: --config's JSON, then FASTVIDEO_Server__* variables, then the options given.</summary>
    static ServerOptions Options(CommandArgs args)
    {
        var builder = new ConfigurationBuilder();
        if (args.Value("config") is string file)
        {
            if (!File.Exists(file)) throw new InvalidRequestException("--config", $"{file} does not exist");
            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }
        builder.AddEnvironmentVariables(GeneratorSettings.EnvironmentPrefix);
        var commandLine = ConfigurationOptions.Where(o => args.Has(o.Option)).ToDictionary(o => $"{ServerOptions.Section}:{o.Key}", o => (string?)args.Value(o.Option));
        if (args.Flag("allow-anonymous")) commandLine[$"{ServerOptions.Section}:AllowAnonymous"] = "true";
        builder.AddInMemoryCollection(commandLine);
        ServerOptions options;
        try
        {
            options = builder.Build().GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException)
        {
            throw new InvalidRequestException("configuration", FastVideoException.FirstLine(e.GetBaseException().Message));
        }
        // --model replaces the configured list as a whole (a shorter list must not keep the configuration's later entries).
        return args.All("model").Count > 0 ? options with { Models = args.All("model").ToArray() } : options;
    }

    static int RunKeys(CommandArgs args, TextWriter stdout)
    {
        if (args.Positionals.Count != 2 || args.Positionals[0] != "keys" || args.Positionals[1] != "add")
            throw new UsageException($"unexpected argument '{string.Join(' ', args.Positionals)}' (the subcommand is 'serve keys add')");
        string file = args.Required("api-keys");
        string key = ApiKeyFile.Add(file, args.Value("name"));
        stdout.WriteLine(key);
        stdout.WriteLine($"# added to {file} (hashed); this key is not shown again");
        return 0;
    }
}
