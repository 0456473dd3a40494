using System.Net;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Server.Jobs;
using FastVideo.Onnx.Server.Telemetry;
using FastVideo.Onnx.Server.Workers;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Placement;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;

namespace FastVideo.Onnx.Server.Cluster;

/// <summary>Makes a host an Orleans silo of the video service: its grains, its grain storage, its device workers.</summary>
internal static class ClusterSilo
{
    /// <summary>The grain storage provider's name.</summary>
    public const string Storage = "jobs";

    /// <summary>The ADO.NET invariant name of PostgreSQL (Npgsql).</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>
    /// The services of every silo: the job service over grains, the placement of worker grains on their own silo,
    /// and the device workers (registered last: they start once the silo runs, and stop before it).
    /// </summary>
    public static void AddVideoService(ISiloBuilder silo, ServerOptions options, ClusterSettings cluster, IReadOnlyList<ServedModel> models)
    {
        var services = silo.Services;
        services.AddSingleton(options);
        services.AddSingleton(cluster);
        services.AddSingleton(models);
        services.AddSingleton<JobEvents>();
        services.AddSingleton<OrleansJobService>();
        services.AddSingleton<IJobService>(s => s.GetRequiredService<OrleansJobService>());
        services.AddSingleton<ServerMetrics>();
        services.AddPlacementFilter<OwnSiloPlacementFilterStrategy, OwnSiloPlacementFilterDirector>(ServiceLifetime.Singleton);
        if (cluster.Provider == "postgres")
            silo.AddAdoNetGrainStorage(Storage, o =>
            {
                o.Invariant = PostgresInvariant;
                o.ConnectionString = cluster.ConnectionString;
            });
        else
        {
            string folder = Path.GetFullPath(cluster.StateFolder ?? Path.Combine(options.Data, "cluster"));
            services.AddGrainStorage(Storage, (s, _) => new FolderGrainStorage(folder, s.GetRequiredService<Serializer>()));
        }
        services.Configure<ClusterMembershipOptions>(m =>
        {
            m.ProbeTimeout = TimeSpan.FromSeconds(Math.Max(1, cluster.ProbeTimeoutSeconds));
            m.NumMissedProbesLimit = 2;
            m.NumVotesForDeathDeclaration = 1;
        });
        services.AddSingleton<WorkerPool>();
        services.AddHostedService(s => s.GetRequiredService<WorkerPool>());
        services.AddSingleton<ExpirySweeper>();
        services.AddHostedService(s => s.GetRequiredService<ExpirySweeper>());
    }

    /// <summary>Membership and endpoints: the primary silo of one machine, or PostgreSQL.</summary>
    public static void UseMembership(ISiloBuilder silo, ClusterSettings cluster)
    {
        if (cluster.SiloPort is < 1 or > 65535) throw new InvalidRequestException("Cluster:SiloPort", $"{cluster.SiloPort} is not a port number");
        silo.Configure<Orleans.Configuration.ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        switch (cluster.Provider)
        {
            case "localhost":
                silo.UseLocalhostClustering(cluster.SiloPort, 0, cluster.PrimarySiloPort == cluster.SiloPort ? null : new IPEndPoint(IPAddress.Loopback, cluster.PrimarySiloPort),
                    cluster.ServiceId, cluster.ClusterId);
                break;
            case "postgres":
                if (string.IsNullOrWhiteSpace(cluster.ConnectionString))
                    throw new InvalidRequestException("Cluster:ConnectionString", "the postgres provider needs a connection string (Host=...;Database=...;Username=...;Password=...)");
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = cluster.ConnectionString;
                });
                silo.Configure<EndpointOptions>(e =>
                {
                    e.SiloPort = cluster.SiloPort;
                    e.GatewayPort = 0;
                    e.AdvertisedIPAddress = cluster.AdvertisedAddress is null ? IPAddress.Loopback
                        : IPAddress.TryParse(cluster.AdvertisedAddress, out var a) ? a
                        : throw new InvalidRequestException("Cluster:AdvertisedAddress", $"'{cluster.AdvertisedAddress}' is not an IP address");
                });
                break;
            default:
                throw new InvalidRequestException("Cluster:Provider", $"'{cluster.Provider}' is not localhost or postgres");
        }
    }
}
