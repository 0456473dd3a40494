namespace FastVideo.Onnx.Server.Jobs;

/// <summary>
/// Removes the outputs of completed jobs at their expires_at (the job stays listed; its content is then 404). In a
/// cluster every silo sweeps: removing a removed file again is harmless, and a silo that dies mid-sweep leaves the
/// rest to the others.
/// </summary>
internal sealed class ExpirySweeper(IJobService jobs, ServerOptions options, ILogger<ExpirySweeper> log) : BackgroundService
{
    /// <summary>One pass: returns how many jobs' outputs were removed.</summary>
    public async Task<int> SweepAsync(long now)
    {
        int removed = 0;
        foreach (var job in await jobs.ExpiredAsync(now).ConfigureAwait(false))
        {
            JobFiles.DeleteAll(jobs.DataFolder, job);
            await jobs.ClearOutputsAsync(job.Id).ConfigureAwait(false);
            removed++;
            log.LogInformation("job {JobId}: output expired and removed", job.Id);
        }
        return removed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, options.SweepSeconds));
        using var timer = new PeriodicTimer(period);
        // The first pass waits one period: in a cluster the grains answer only once the silo runs.
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await SweepAsync(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A sweep that cannot finish now is tried again at the next tick; the outputs stay until then, and the
                // server keeps serving.
                log.LogWarning("expiry sweep stopped: {Error}", e.Message);
            }
        }
    }
}
