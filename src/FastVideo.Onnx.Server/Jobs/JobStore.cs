using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace FastVideo.Onnx.Server.Jobs;

/// <summary>
/// The jobs table in SQLite (write-ahead log) under the data folder: every state change is committed before it is
/// acted on or reported, so a crash loses nothing that a client was told. One connection, serialised by a lock:
/// the server's writes are small and few (a job's progress changes at most a hundred times).
/// </summary>
public sealed class JobStore : IDisposable
{
    public const string FileName = "jobs.db";

    readonly SqliteConnection _db;
    readonly Lock _lock = new();

    public string DataFolder { get; }

    JobStore(string dataFolder, SqliteConnection db)
    {
        DataFolder = dataFolder;
        _db = db;
    }

    public static JobStore Open(string dataFolder)
    {
        Directory.CreateDirectory(dataFolder);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataFolder, FileName),
            Pooling = false,
            Mode = SqliteOpenMode.ReadWriteCreate,
        }.ToString());
        try
        {
            db.Open();
            Execute(db, "PRAGMA journal_mode=WAL;");
            // WAL with NORMAL keeps every commit across a process crash (kill -9); only a power loss may drop the last ones.
            Execute(db, "PRAGMA synchronous=NORMAL;");
            Execute(db, "PRAGMA busy_timeout=5000;");
            Execute(db, """
                CREATE TABLE IF NOT EXISTS jobs (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    owner TEXT NOT NULL,
                    model TEXT NOT NULL,
                    status TEXT NOT NULL,
                    progress INTEGER NOT NULL DEFAULT 0,
                    stage TEXT,
                    created_at INTEGER NOT NULL,
                    started_at INTEGER,
                    completed_at INTEGER,
                    expires_at INTEGER,
                    spec TEXT NOT NULL,
                    error_code TEXT,
                    error_message TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    output TEXT,
                    thumbnail TEXT,
                    worker TEXT
                );
                CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, seq);
                CREATE INDEX IF NOT EXISTS jobs_owner ON jobs(owner, seq);
                """);
            return new JobStore(dataFolder, db);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    static void Execute(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = _db.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    int NonQuery(string sql, params (string, object?)[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    List<VideoJob> Query(string sql, params (string, object?)[] parameters)
    {
        using var command = Command(sql, parameters);
        using var reader = command.ExecuteReader();
        var jobs = new List<VideoJob>();
        while (reader.Read()) jobs.Add(Read(reader));
        return jobs;
    }

    const string Columns = "id, owner, model, status, progress, stage, created_at, started_at, completed_at, expires_at, spec, error_code, error_message, attempts, output, thumbnail, worker";

    static VideoJob Read(SqliteDataReader r)
    {
        static long? Long(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
        static string? Text(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new VideoJob
        {
            Id = r.GetString(0),
            Owner = r.GetString(1),
            Model = r.GetString(2),
            Status = r.GetString(3),
            Progress = r.GetInt32(4),
            Stage = Text(r, 5),
            CreatedAt = r.GetInt64(6),
            StartedAt = Long(r, 7),
            CompletedAt = Long(r, 8),
            ExpiresAt = Long(r, 9),
            Spec = JsonSerializer.Deserialize<JobSpec>(r.GetString(10)) ?? new JobSpec(),
            ErrorCode = Text(r, 11),
            ErrorMessage = Text(r, 12),
            Attempts = r.GetInt32(13),
            Output = Text(r, 14),
            Thumbnail = Text(r, 15),
            Worker = Text(r, 16),
        };
    }

    /// <summary>Adds a queued job; false (nothing added) when <paramref name="maxQueue"/> jobs are already waiting.</summary>
    public bool TryEnqueue(VideoJob job, int maxQueue)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            using (var count = Command("SELECT COUNT(*) FROM jobs WHERE status = 'queued'"))
            {
                count.Transaction = tx;
                if ((long)count.ExecuteScalar()! >= maxQueue) return false;
            }
            using (var insert = Command("""
                INSERT INTO jobs (id, owner, model, status, progress, created_at, spec, attempts)
                VALUES ($id, $owner, $model, 'queued', 0, $created, $spec, 0)
                """, ("$id", job.Id), ("$owner", job.Owner), ("$model", job.Model), ("$created", job.CreatedAt),
                       ("$spec", JsonSerializer.Serialize(job.Spec))))
            {
                insert.Transaction = tx;
                insert.ExecuteNonQuery();
            }
            tx.Commit();
            return true;
        }
    }

    public VideoJob? Get(string id, string owner)
    {
        lock (_lock) return Query($"SELECT {Columns} FROM jobs WHERE id = $id AND owner = $owner", ("$id", id), ("$owner", owner)).FirstOrDefault();
    }

    public VideoJob? Get(string id)
    {
        lock (_lock) return Query($"SELECT {Columns} FROM jobs WHERE id = $id", ("$id", id)).FirstOrDefault();
    }

    /// <summary>
    /// One page of an owner's jobs in creation order (<paramref name="descending"/>: newest first), after the job
    /// <paramref name="after"/> when given (null when that job is not the owner's).
    /// </summary>
    public (List<VideoJob> Jobs, bool HasMore)? List(string owner, string? after, int limit, bool descending)
    {
        lock (_lock)
        {
            long? cursor = null;
            if (after is not null)
            {
                using var find = Command("SELECT seq FROM jobs WHERE id = $id AND owner = $owner", ("$id", after), ("$owner", owner));
                if (find.ExecuteScalar() is not long seq) return null;
                cursor = seq;
            }
            string order = descending ? "DESC" : "ASC";
            string where = cursor is null ? "" : descending ? "AND seq < $cursor" : "AND seq > $cursor";
            var jobs = Query($"SELECT {Columns} FROM jobs WHERE owner = $owner {where} ORDER BY seq {order} LIMIT $limit",
                ("$owner", owner), ("$cursor", cursor), ("$limit", limit + 1));
            bool more = jobs.Count > limit;
            if (more) jobs.RemoveAt(jobs.Count - 1);
            return (jobs, more);
        }
    }

    /// <summary>
    /// Takes the oldest queued job of <paramref name="models"/> for <paramref name="worker"/> (jobs of the models in
    /// <paramref name="loaded"/> first) and marks it in progress, counting the attempt.
    /// </summary>
    public VideoJob? Claim(string worker, IReadOnlyCollection<string> models, IReadOnlyCollection<string> loaded, long now)
    {
        if (models.Count == 0) return null;
        lock (_lock)
        {
            var names = models.Select((m, i) => ($"$m{i}", (object?)m)).ToList();
            var loadedNames = loaded.Select((m, i) => ($"$l{i}", (object?)m)).ToList();
            string preference = loadedNames.Count == 0 ? "1 = 0" : $"model IN ({string.Join(", ", loadedNames.Select(n => n.Item1))})";
            using var tx = _db.BeginTransaction();
            string? id;
            using (var pick = Command($"""
                SELECT id FROM jobs WHERE status = 'queued' AND model IN ({string.Join(", ", names.Select(n => n.Item1))})
                ORDER BY ({preference}) DESC, seq ASC LIMIT 1
                """, names.Concat(loadedNames).ToArray()))
            {
                pick.Transaction = tx;
                id = pick.ExecuteScalar() as string;
            }
            if (id is null) return null;
            using (var update = Command("""
                UPDATE jobs SET status = 'in_progress', attempts = attempts + 1, started_at = $now, worker = $worker, progress = 0, stage = NULL
                WHERE id = $id
                """, ("$id", id), ("$now", now), ("$worker", worker)))
            {
                update.Transaction = tx;
                update.ExecuteNonQuery();
            }
            tx.Commit();
            return Query($"SELECT {Columns} FROM jobs WHERE id = $id", ("$id", id)).First();
        }
    }

    public void SetProgress(string id, int progress, string? stage)
    {
        lock (_lock) NonQuery("UPDATE jobs SET progress = $p, stage = $s WHERE id = $id AND status = 'in_progress'", ("$id", id), ("$p", progress), ("$s", stage));
    }

    /// <summary>Marks a running job completed; false when it is no longer running (deleted meanwhile).</summary>
    public bool Complete(string id, string output, string? thumbnail, long now, long expiresAt)
    {
        lock (_lock)
            return NonQuery("""
                UPDATE jobs SET status = 'completed', progress = 100, stage = NULL, completed_at = $now, expires_at = $exp, output = $out, thumbnail = $thumb
                WHERE id = $id AND status = 'in_progress'
                """, ("$id", id), ("$now", now), ("$exp", expiresAt), ("$out", output), ("$thumb", thumbnail)) == 1;
    }

    /// <summary>Marks a queued or running job failed; false when it had already ended or is gone.</summary>
    public bool Fail(string id, string code, string message, long now)
    {
        lock (_lock)
            return NonQuery("""
                UPDATE jobs SET status = 'failed', stage = NULL, completed_at = $now, error_code = $code, error_message = $msg
                WHERE id = $id AND status IN ('queued', 'in_progress')
                """, ("$id", id), ("$now", now), ("$code", code), ("$msg", message)) == 1;
    }

    /// <summary>Puts a running job back in the queue without counting the attempt (it was stopped, not failed).</summary>
    public bool Requeue(string id)
    {
        lock (_lock)
            return NonQuery("""
                UPDATE jobs SET status = 'queued', progress = 0, stage = NULL, started_at = NULL, worker = NULL, attempts = MAX(attempts - 1, 0)
                WHERE id = $id AND status = 'in_progress'
                """, ("$id", id)) == 1;
    }

    /// <summary>Removes a job's row; the removed row (to delete its files) or null when the owner has no such job.</summary>
    public VideoJob? Delete(string id, string owner)
    {
        lock (_lock)
        {
            var job = Query($"SELECT {Columns} FROM jobs WHERE id = $id AND owner = $owner", ("$id", id), ("$owner", owner)).FirstOrDefault();
            if (job is null) return null;
            NonQuery("DELETE FROM jobs WHERE id = $id", ("$id", id));
            return job;
        }
    }

    /// <summary>
    /// After a restart: jobs that were running when the process stopped run again, unless they have already been
    /// attempted <paramref name="maxAttempts"/> times, then they fail with code "interrupted".
    /// </summary>
    public (int Requeued, int Failed) RecoverInterrupted(int maxAttempts, long now)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            using var fail = Command($"""
                UPDATE jobs SET status = 'failed', stage = NULL, completed_at = $now, error_code = 'interrupted',
                    error_message = 'the server stopped while this job ran, ' || attempts || ' times; it is not tried again'
                WHERE status = 'in_progress' AND attempts >= $max
                """, ("$now", now), ("$max", maxAttempts));
            fail.Transaction = tx;
            int failed = fail.ExecuteNonQuery();
            using var requeue = Command("UPDATE jobs SET status = 'queued', progress = 0, stage = NULL, started_at = NULL, worker = NULL WHERE status = 'in_progress'");
            requeue.Transaction = tx;
            int requeued = requeue.ExecuteNonQuery();
            tx.Commit();
            return (requeued, failed);
        }
    }

    /// <summary>Completed jobs whose outputs have expired and are still on disk.</summary>
    public List<VideoJob> Expired(long now)
    {
        lock (_lock) return Query($"SELECT {Columns} FROM jobs WHERE status = 'completed' AND output IS NOT NULL AND expires_at <= $now", ("$now", now));
    }

    public void ClearOutputs(string id)
    {
        lock (_lock) NonQuery("UPDATE jobs SET output = NULL, thumbnail = NULL WHERE id = $id", ("$id", id));
    }

    public Dictionary<string, long> CountByStatus()
    {
        lock (_lock)
        {
            var counts = JobStatus.All.ToDictionary(s => s, _ => 0L);
            using var command = Command("SELECT status, COUNT(*) FROM jobs GROUP BY status");
            using var reader = command.ExecuteReader();
            while (reader.Read()) counts[reader.GetString(0)] = reader.GetInt64(1);
            return counts;
        }
    }

    public void Dispose()
    {
        lock (_lock) _db.Dispose();
    }
}
