using FastVideo.Onnx.Core.Errors;
using Npgsql;

namespace FastVideo.Onnx.Server.Cluster;

/// <summary>
/// Creates the PostgreSQL tables and functions of Orleans' ADO.NET membership and grain storage (the scripts under
/// Cluster/Sql, embedded), in one transaction; a database that already has them is left as it is.
/// </summary>
internal static class ClusterSchema
{
    static readonly string[] Scripts = { "PostgreSQL-Main.sql", "PostgreSQL-Clustering.sql", "PostgreSQL-Persistence.sql" };

    /// <summary>True when the schema was created, false when the database already had it.</summary>
    public static async Task<bool> ApplyAsync(string connectionString, CancellationToken cancel = default)
    {
        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new InvalidRequestException("Cluster:ConnectionString", FastVideoException.FirstLine(e.Message));
        }
        await using var db = new NpgsqlConnection(parsed.ConnectionString);
        try
        {
            await db.OpenAsync(cancel).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw new InvalidRequestException("Cluster:ConnectionString", $"cannot connect to PostgreSQL at {parsed.Host}:{parsed.Port}: {FastVideoException.FirstLine(e.Message)}");
        }
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('orleansquery') IS NOT NULL", db))
            if ((bool)(await exists.ExecuteScalarAsync(cancel).ConfigureAwait(false))!) return false;
        await using var tx = await db.BeginTransactionAsync(cancel).ConfigureAwait(false);
        foreach (string script in Scripts)
        {
            await using var command = new NpgsqlCommand(Read(script), db, tx);
            await command.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancel).ConfigureAwait(false);
        return true;
    }

    static string Read(string script)
    {
        using var stream = typeof(ClusterSchema).Assembly.GetManifestResourceStream("cluster-sql/" + script)
                           ?? throw new InvalidOperationException($"the embedded script {script} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
