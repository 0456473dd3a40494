namespace FastVideo.Onnx.Server.Cluster;

/// <summary>
/// Settings of the cluster mode (<c>serve --cluster</c>), bound from the configuration section <c>Cluster</c>. Every
/// process is an Orleans silo that serves the HTTP API and runs a worker per device of its own.
/// </summary>
public sealed record ClusterSettings
{
    public const string Section = "Cluster";

    /// <summary>Silos with the same cluster id form one cluster.</summary>
    public string ClusterId { get; init; } = "fastvideo";

    public string ServiceId { get; init; } = "fastvideo";

    /// <summary>"localhost": silos of one machine (membership kept by the primary silo); "postgres": membership and grain state in PostgreSQL.</summary>
    public string Provider { get; init; } = "localhost";

    /// <summary>The PostgreSQL connection string (Provider "postgres").</summary>
    public string? ConnectionString { get; init; }

    /// <summary>The port silos talk to each other on (each process of one machine needs its own).</summary>
    public int SiloPort { get; init; } = 11111;

    /// <summary>Provider "localhost": the silo port of the primary silo, the one that keeps the membership.</summary>
    public int PrimarySiloPort { get; init; } = 11111;

    /// <summary>The address other silos reach this one at (null: loopback for "localhost", the host's first address otherwise).</summary>
    public string? AdvertisedAddress { get; init; }

    /// <summary>Provider "localhost": the folder grain state is kept in (null: cluster/ under the data folder, which every silo shares).</summary>
    public string? StateFolder { get; init; }

    /// <summary>Seconds without an answer to membership probes after which a silo is declared dead and its jobs run elsewhere.</summary>
    public int ProbeTimeoutSeconds { get; init; } = 2;
}
