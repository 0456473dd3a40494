using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FastVideo.Onnx.Server.Tests.Support;

/// <summary>
/// A throw-away PostgreSQL server (Debian's postgresql package: initdb and pg_ctl) in a temporary folder, on
/// 127.0.0.1 and a free port, trusting local connections; stopped and removed on dispose. PostgreSQL refuses to run
/// as root, so under root it runs as the postgres user.
/// </summary>
public sealed class PrivatePostgres : IDisposable
{
    readonly string _bin;
    readonly string _folder;

    public string ConnectionString { get; }

    PrivatePostgres(string bin, string folder, int port)
    {
        _bin = bin;
        _folder = folder;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=fastvideo;Database=postgres;Pooling=true";
    }

    /// <summary>The folder of initdb and pg_ctl, or null when PostgreSQL is not installed.</summary>
    public static string? FindBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
            : null;

    static bool IsRoot => Environment.UserName == "root";

    public static PrivatePostgres Start()
    {
        string bin = FindBin() ?? throw new InvalidOperationException("PostgreSQL (initdb) is not installed");
        string folder = Path.Combine(Path.GetTempPath(), "fvo-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        if (IsRoot) Run("chown", "postgres", folder);
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var postgres = new PrivatePostgres(bin, folder, port);
        try
        {
            postgres.Pg("initdb", "-D", Path.Combine(folder, "db"), "-U", "fastvideo", "--auth=trust", "-E", "UTF8");
            postgres.Pg("pg_ctl", "-D", Path.Combine(folder, "db"), "-l", Path.Combine(folder, "log"), "-w", "-t", "60",
                "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start");
            return postgres;
        }
        catch
        {
            postgres.Dispose();
            throw;
        }
    }

    void Pg(string tool, params string[] args)
    {
        string exe = Path.Combine(_bin, tool);
        if (IsRoot) Run("runuser", new[] { "-u", "postgres", "--", exe }.Concat(args).ToArray());
        else Run(exe, args);
    }

    static void Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{exe} {string.Join(' ', args)} exited {process.ExitCode}: {stderr}{stdout.Result}");
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path.Combine(_folder, "db", "base"))) Pg("pg_ctl", "-D", Path.Combine(_folder, "db"), "-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException)
        {
            // Not running (it failed to start): nothing to stop.
        }
        try
        {
            Directory.Delete(_folder, true);
        }
        catch (IOException)
        {
        }
    }
}
