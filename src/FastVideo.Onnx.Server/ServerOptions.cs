namespace FastVideo.Onnx.Server;

/// <summary>
/// Settings of the server, bound from the configuration section <c>Server</c> (a JSON file, <c>FASTVIDEO_Server__*</c>
/// environment variables, then command-line options).
/// </summary>
public sealed record ServerOptions
{
    public const string Section = "Server";

    /// <summary>Converted model folders, each optionally as NAME=DIR; the first is the default model.</summary>
    public string[] Models { get; init; } = Array.Empty<string>();

    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 8000;

    /// <summary>The jobs database (jobs.db) and the outputs (videos/, uploads/).</summary>
    public string Data { get; init; } = "fastvideo-data";

    /// <summary>One worker per entry: cpu, cuda:0, cuda:1, tensorrt:0, ... separated by commas.</summary>
    public string Devices { get; init; } = "cpu";

    /// <summary>
    /// Devices of <see cref="Devices"/> per worker (1 or 2): with 2, consecutive pairs (cuda:0 and cuda:1, ...) make one
    /// worker whose generators spread each request over both as <see cref="Parallelism"/> says.
    /// </summary>
    public int DevicesPerWorker { get; init; } = 1;

    /// <summary>How a worker of two devices uses the second (Runtime:Parallelism: auto, cfg, experts, none).</summary>
    public string Parallelism { get; init; } = "auto";

    /// <summary>A file of hashed API keys (see <c>serve keys add</c>); null: anonymous (loopback only unless <see cref="AllowAnonymous"/>).</summary>
    public string? ApiKeys { get; init; }

    public bool AllowAnonymous { get; init; }

    /// <summary>Jobs waiting beyond this are refused with 429.</summary>
    public int MaxQueue { get; init; } = 256;

    /// <summary>How long outputs are kept after a job completes.</summary>
    public int ExpirySeconds { get; init; } = 24 * 3600;

    /// <summary>How often expired outputs are looked for.</summary>
    public int SweepSeconds { get; init; } = 60;

    /// <summary>On shutdown, how long running jobs may take to finish before they are stopped and queued again.</summary>
    public int ShutdownTimeoutSeconds { get; init; } = 30;

    /// <summary>Requests per minute per API key (per client address when anonymous); 0 turns the limit off.</summary>
    public int RateLimitPerMinute { get; init; } = 600;

    public int MaxPromptLength { get; init; } = 32_000;
    public long MaxRequestBytes { get; init; } = 16L << 20;
    public long MaxUploadBytes { get; init; } = 10L << 20;
    public long MaxImagePixels { get; init; } = 4096L * 4096;

    /// <summary>The largest frames x height x width of one video (81 frames of 1280x720 by default).</summary>
    public long MaxVideoPixels { get; init; } = 81L * 1280 * 720;

    /// <summary>Seconds between keep-alive comments on an event stream.</summary>
    public int KeepAliveSeconds { get; init; } = 15;

    /// <summary>Threads per operator on CPU workers (null: ONNX Runtime's default).</summary>
    public int? Threads { get; init; }

    /// <summary>An OTLP endpoint (http://host:4317) to export metrics to; null: no exporter.</summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>Console log format: "simple" or "json".</summary>
    public string LogFormat { get; init; } = "simple";
}
