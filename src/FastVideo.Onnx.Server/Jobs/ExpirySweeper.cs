namespace FastVideo.Onnx.Server.Jobs;

/// <summary>Removes the outputs of completed jobs at their expires_at (the job stays listed; its content is then 404).</summary>
public sealed class ExpirySweeper(JobStore store, ServerOptions options, ILogger<ExpirySweeper> log) : BackgroundService
{
    /// <summary>One pass: returns how many jobs' outputs were removed.</summary>
    public int Sweep(long now)
    {
        int removed = 0;
        foreach (var job in store.Expired(now))
        {
            JobFiles.DeleteAll(store.DataFolder, job);
            store.ClearOutputs(job.Id);
            removed++;
            log.LogInformation("job {JobId}: output expired and removed", job.Id);
        }
        return removed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, options.SweepSeconds));
        using var timer = new PeriodicTimer(period);
        do
        {
            Sweep(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        } while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
