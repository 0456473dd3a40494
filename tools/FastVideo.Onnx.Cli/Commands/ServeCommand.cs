using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Configuration;
using FastVideo.Onnx.Server;
using FastVideo.Onnx.Server.Cluster;
using FastVideo.Onnx.Server.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace FastVideo.Onnx.Cli.Commands;

/// <summary><c>fastvideo-onnx serve</c>: the OpenAI-compatible video server; <c>serve keys add</c> creates an API key.</summary>
public static class ServeCommand
{
    public const string Usage = """
        usage: fastvideo-onnx serve [--model [NAME=]DIR]... [--host ADDRESS] [--port N] [--data DIR]
                 [--devices cpu|cuda:0,cuda:1,...] [--devices-per-worker 1|2] [--parallel MODE] [--api-keys FILE] [--allow-anonymous] [--max-queue N]
                 [--threads N] [--config FILE.json]
                 [--cluster [--silo-port N] [--primary-silo-port N] [--connection POSTGRES]]
               fastvideo-onnx serve keys add --api-keys FILE [--name LABEL]
               fastvideo-onnx serve cluster init --connection POSTGRES [--config FILE.json]

        Serves OpenAI's Videos API (/v1/videos: create, list, retrieve, delete, content; plus cancel, events and
        /v1/models), health checks and a web page at /. Jobs and outputs live under --data and survive restarts.

          --model DIR        a converted model folder (repeatable; named after the folder, or NAME=DIR); the first is
                             the default. Without --model, the tiny model shipped with the tool (converted on first use)
          --host ADDRESS     default 127.0.0.1; a non-loopback address needs --api-keys (or --allow-anonymous)
          --port N           default 8000 (0: any free port)
          --data DIR         the jobs database and outputs (default ./fastvideo-data)
          --devices LIST     one worker per device (default cpu)
          --devices-per-worker 2  one worker per pair of devices: each request runs on both (see --parallel)
          --parallel MODE    what a worker's second device runs: auto (default), cfg, experts, none (docs/MULTI_GPU.md)
          --api-keys FILE    hashed keys (serve keys add); every route but /health needs Authorization: Bearer KEY,
                             and a key sees only its own jobs
          --max-queue N      queued jobs beyond N are refused with 429 (default 256)
          --threads N        threads per operator on CPU workers
          --config FILE.json settings in a "Server" section (then FASTVIDEO_Server__* environment variables, then
                             these options), e.g. {"Server": {"ExpirySeconds": 3600, "RateLimitPerMinute": 120}}
          --cluster          the process is a silo of an Orleans cluster (settings in a "Cluster" section): every silo
                             serves this API over the jobs of the whole cluster and runs jobs on its own --devices
          --silo-port N      the port silos talk on (default 11111; one per process on a machine)
          --primary-silo-port N  without PostgreSQL: the silo port of the machine's primary silo (default 11111)
          --connection STR   PostgreSQL (Host=...;Database=...;Username=...;Password=...): membership and job state
                             there; 'serve cluster init' creates its tables

        SIGTERM or Ctrl+C stops taking jobs, lets running ones finish (ShutdownTimeoutSeconds, default 30, after which
        they are queued again for the next start) and exits 0. See docs/SERVING.md.
        """;

    public static readonly string[] ValueOptions =
        { "model", "host", "port", "data", "devices", "api-keys", "max-queue", "threads", "config", "name", "devices-per-worker", "parallel", "silo-port", "primary-silo-port", "connection" };
    public static readonly string[] FlagOptions = { "help", "allow-anonymous", "cluster" };

    static readonly (string Option, string Key)[] ClusterConfigurationOptions =
    {
        ("silo-port", "SiloPort"), ("primary-silo-port", "PrimarySiloPort"), ("connection", "ConnectionString"),
    };

    static readonly (string Option, string Key)[] ConfigurationOptions =
    {
        ("host", "Host"), ("port", "Port"), ("data", "Data"), ("devices", "Devices"), ("api-keys", "ApiKeys"), ("max-queue", "MaxQueue"), ("threads", "Threads"),
        ("devices-per-worker", "DevicesPerWorker"), ("parallel", "Parallelism"),
    };

    public static int Run(CommandArgs args, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        if (args.Positionals.Count > 0 && args.Positionals[0] == "cluster") return RunClusterInit(args, stdout, cancel);
        if (args.Positionals.Count > 0) return RunKeys(args, stdout);
        foreach (var numeric in new[] { "port", "max-queue", "threads", "devices-per-worker", "silo-port", "primary-silo-port" }) args.Int(numeric);
        if (args.Has("name")) throw new UsageException("--name belongs to 'serve keys add'");
        if (!args.Flag("cluster"))
            foreach (var (option, _) in ClusterConfigurationOptions)
                if (args.Has(option)) throw new UsageException($"--{option} belongs to --cluster");

        var options = Options(args);
        var cluster = args.Flag("cluster") ? ClusterOptions(args) : null;
        void Notice(string message) => stderr.WriteLine($"note: {message}");
        var specs = options.Models.Length > 0 ? options.Models : new[] { $"{EmbeddedModel.Name}={EmbeddedModel.Converted(Notice, cancel)}" };
        var models = specs.Select(ServedModel.Open).ToList();

        var server = VideoServer.Create(options with { Models = specs.ToArray() }, models, cluster: cluster);
        try
        {
            var lifetime = (IHostApplicationLifetime)server.Services.GetService(typeof(IHostApplicationLifetime))!;
            lifetime.ApplicationStarted.Register(() =>
            {
                stdout.WriteLine($"serving {string.Join(", ", models.Select(m => $"{m.Name} ({m.Pipeline})"))} on {server.Address} " +
                                 $"(devices {options.Devices}, data {Path.GetFullPath(options.Data)}{(options.ApiKeys is null ? ", no API keys" : "")}" +
                                 $"{(cluster is null ? "" : $", cluster {cluster.ClusterId} silo port {cluster.SiloPort} ({cluster.Provider})")})");
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

    /// <summary>The configuration: --config's JSON, then FASTVIDEO_* variables, then the options given.</summary>
    static IConfiguration Configuration(CommandArgs args)
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
        foreach (var (option, key) in ClusterConfigurationOptions)
            if (args.Value(option) is string value) commandLine[$"{ClusterSettings.Section}:{key}"] = value;
        if (args.Has("connection")) commandLine[$"{ClusterSettings.Section}:Provider"] = "postgres";
        builder.AddInMemoryCollection(commandLine);
        return builder.Build();
    }

    static T Bind<T>(CommandArgs args, string section) where T : new()
    {
        try
        {
            return Configuration(args).GetSection(section).Get<T>() ?? new T();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException)
        {
            throw new InvalidRequestException("configuration", FastVideoException.FirstLine(e.GetBaseException().Message));
        }
    }

    static ClusterSettings ClusterOptions(CommandArgs args) => Bind<ClusterSettings>(args, ClusterSettings.Section);

    /// <summary>The Server section.</summary>
    static ServerOptions Options(CommandArgs args)
    {
        var options = Bind<ServerOptions>(args, ServerOptions.Section);
        // --model replaces the configured list as a whole (a shorter list must not keep the configuration's later entries).
        return args.All("model").Count > 0 ? options with { Models = args.All("model").ToArray() } : options;
    }

    static int RunClusterInit(CommandArgs args, TextWriter stdout, CancellationToken cancel)
    {
        if (args.Positionals.Count != 2 || args.Positionals[1] != "init")
            throw new UsageException($"unexpected argument '{string.Join(' ', args.Positionals)}' (the subcommand is 'serve cluster init')");
        var cluster = ClusterOptions(args);
        string connection = cluster.ConnectionString ?? throw new UsageException("--connection is required (or Cluster:ConnectionString in --config)");
        bool created = ClusterSchema.ApplyAsync(connection, cancel).GetAwaiter().GetResult();
        stdout.WriteLine(created ? "created the cluster tables (Orleans membership and grain storage)" : "the cluster tables exist already; nothing changed");
        return 0;
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
