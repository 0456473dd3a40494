using FastVideo.Onnx.Server.Cluster;
using FastVideo.Onnx.Server.Jobs;
using FastVideo.Onnx.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace FastVideo.Onnx.Server.Tests;

/// <summary>
/// The cluster mode in one process: Orleans' InProcessTestCluster, each silo with one CPU "device" running the tiny
/// model, the grain state in a folder that every silo shares (as the outputs are).
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ClusterTests
{
    /// <summary>Enough denoising steps that a job is still running when its silo is killed.</summary>
    const int Steps = 300;

    sealed class TestCluster(InProcessTestCluster cluster, TempFolder data, ServedModel model) : IAsyncDisposable
    {
        public InProcessTestCluster Cluster => cluster;
        public string Data => data.Path;

        public IJobService Jobs(InProcessSiloHandle silo) => silo.ServiceProvider.GetRequiredService<IJobService>();

        public async Task<string> EnqueueAsync(InProcessSiloHandle silo, int seed, int steps = Steps, string owner = "anonymous")
        {
            var defaults = model.Defaults;
            var job = new VideoJob
            {
                Id = JobIds.New(),
                Owner = owner,
                Model = model.Name,
                Status = JobStatus.Queued,
                CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                Spec = new JobSpec
                {
                    Prompt = $"waves {seed}",
                    Width = defaults.Width,
                    Height = defaults.Height,
                    NumFrames = defaults.NumFrames,
                    Fps = defaults.Fps,
                    Seed = seed,
                    Steps = steps,
                    Seconds = "1",
                },
            };
            Assert.That(await Jobs(silo).TryEnqueueAsync(job, 1000), Is.True);
            return job.Id;
        }

        public async Task<List<VideoJob>> WaitAllFinalAsync(InProcessSiloHandle silo, IReadOnlyList<string> ids, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                var jobs = new List<VideoJob>();
                foreach (var id in ids) jobs.Add((await Jobs(silo).GetAsync(id, null))!);
                if (jobs.All(j => JobStatus.IsFinal(j.Status))) return jobs;
                if (DateTime.UtcNow > deadline)
                    Assert.Fail($"not finished within {timeout.TotalSeconds} s: {string.Join(", ", jobs.Select(j => j.Status))}");
                await Task.Delay(100);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await cluster.DisposeAsync();
            data.Dispose();
        }
    }

    static async Task<TestCluster> StartAsync(short silos, Func<ServerOptions, ServerOptions>? configure = null)
    {
        var data = new TempFolder();
        var options = TestServer.Defaults(data.Path) with { Threads = 1 };
        if (configure is not null) options = configure(options);
        var models = options.Models.Select(ServedModel.Open).ToList();
        var settings = new ClusterSettings { ProbeTimeoutSeconds = 1 };
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) => ClusterSilo.AddVideoService(silo, options, settings, models));
        builder.ConfigureSiloHost((_, host) => host.Logging.SetMinimumLevel(LogLevel.Warning));
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            data.Dispose();
            throw;
        }
        return new TestCluster(cluster, data, models[0]);
    }

    static SiloAddress SiloOf(VideoJob job) => WorkerIds.SiloOf(job.Worker!);

    static void AssertCompletedOnce(TestCluster test, IReadOnlyList<VideoJob> jobs)
    {
        foreach (var job in jobs)
        {
            Assert.That(job.Status, Is.EqualTo(JobStatus.Completed), $"{job.Id}: {job.ErrorCode} {job.ErrorMessage}");
            string path = JobFiles.Resolve(test.Data, job.Output)!;
            Assert.That(new FileInfo(path).Length, Is.GreaterThan(0), job.Id);
            Assert.That(Path.GetFileNameWithoutExtension(path), Is.EqualTo(job.Id));
        }
        // Nothing half-written is left behind by an attempt that was stopped or superseded.
        Assert.That(Directory.GetFiles(Path.Combine(test.Data, JobFiles.VideosFolder)).Where(f => f.EndsWith(".tmp", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public async Task JobsSpreadOverSilosAndASiloKilledMidJobLosesNone()
    {
        await using var test = await StartAsync(3);
        var silos = test.Cluster.Silos.ToList();
        var ids = new List<string>();
        for (int i = 0; i < 9; i++) ids.Add(await test.EnqueueAsync(silos[i % 3], i));

        // Kill a silo while it runs a job (not the first: its clients' calls go through it in this test).
        var victim = silos[2];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        VideoJob? running = null;
        while (running is null)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "no job ever ran on the silo to kill");
            foreach (var id in ids)
                if (await test.Jobs(silos[0]).GetAsync(id, null) is { Status: JobStatus.InProgress, Progress: < 50 } j && SiloOf(j).Equals(victim.SiloAddress)) running = j;
            await Task.Delay(5);
        }
        await test.Cluster.KillSiloAsync(victim);

        var jobs = await test.WaitAllFinalAsync(silos[0], ids, TimeSpan.FromSeconds(90));
        AssertCompletedOnce(test, jobs);
        var rerun = jobs.Single(j => j.Id == running.Id);
        Assert.That(rerun.Attempts, Is.EqualTo(2), $"the killed silo's job ran again elsewhere: {rerun.Worker}, started {rerun.StartedAt}, completed {rerun.CompletedAt}, killed {victim.SiloAddress}");
        Assert.That(SiloOf(rerun), Is.Not.EqualTo(victim.SiloAddress));
        Assert.That(jobs.Select(SiloOf).Distinct().Count(), Is.GreaterThanOrEqualTo(2), "jobs ran on several silos");
        var counts = await test.Cluster.Client.GetGrain<IDispatcherGrain>(0).Counts();
        Assert.That(counts[JobStatus.Completed], Is.EqualTo(ids.Count), "each job completed exactly once");
        Assert.That(counts[JobStatus.Queued] + counts[JobStatus.InProgress], Is.Zero);
    }

    [Test]
    public async Task ASiloAddedTakesJobs()
    {
        await using var test = await StartAsync(1);
        var first = test.Cluster.Silos[0];
        var added = await test.Cluster.StartAdditionalSiloAsync();
        await test.Cluster.WaitForLivenessToStabilizeAsync();
        var ids = new List<string>();
        for (int i = 0; i < 8; i++) ids.Add(await test.EnqueueAsync(first, i));
        // The last job's events reach a stream on the added silo, wherever the job runs.
        using var watch = test.Jobs(added).Watch(ids[^1]);
        var events = new List<JobEvent>();
        // The last of eight long jobs on two one-worker silos ends after four rounds: the limit is that of the whole queue.
        var final = TimeSpan.FromSeconds(90);
        using (var limit = new CancellationTokenSource(final))
            try
            {
                await foreach (var e in watch.Reader.ReadAllAsync(limit.Token))
                {
                    events.Add(e);
                    if (e.IsFinal) break;
                }
            }
            catch (OperationCanceledException)
            {
                var state = await test.Jobs(added).GetAsync(ids[^1], null);
                Assert.Fail($"no final event within {final.TotalSeconds} s; {events.Count} events; the job is {state?.Status} ({state?.Progress})");
            }
        Assert.That(events[^1].Kind, Is.EqualTo(JobEvent.CompletedKind));
        Assert.That(events.Count(e => e.Kind == JobEvent.ProgressKind), Is.GreaterThan(0), "progress events before the end");
        var jobs = await test.WaitAllFinalAsync(first, ids, TimeSpan.FromSeconds(90));
        AssertCompletedOnce(test, jobs);
        Assert.That(jobs.Count(j => SiloOf(j).Equals(added.SiloAddress)), Is.GreaterThan(0), "the added silo ran jobs");
        // The video object is readable from any silo, and lists come from the shared queue.
        var page = await test.Jobs(added).ListAsync("anonymous", null, 100, false);
        Assert.That(page!.Value.Jobs.Select(j => j.Id), Is.EqualTo(ids));
    }

    [Test]
    public async Task OutputsExpireOnceAcrossSilosAndTheJobsStayListed()
    {
        await using var test = await StartAsync(2, o => o with { ExpirySeconds = 2, SweepSeconds = 1 });
        var silos = test.Cluster.Silos.ToList();
        var ids = new List<string>();
        for (int i = 0; i < 4; i++) ids.Add(await test.EnqueueAsync(silos[i % 2], i, steps: 2));
        var jobs = await test.WaitAllFinalAsync(silos[0], ids, TimeSpan.FromSeconds(60));
        AssertCompletedOnce(test, jobs);
        var files = jobs.Select(j => JobFiles.Resolve(test.Data, j.Output)!).ToList();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var now = new List<VideoJob>();
            foreach (var id in ids) now.Add((await test.Jobs(silos[1]).GetAsync(id, null))!);
            if (now.All(j => j.Output is null) && files.All(f => !File.Exists(f)))
            {
                Assert.That(now.Select(j => j.Status), Is.All.EqualTo(JobStatus.Completed), "expired jobs stay completed");
                break;
            }
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline),
                $"outputs not removed within 30 s of expiry: {string.Join(", ", now.Select(j => j.Output ?? "-"))}; files left {files.Count(File.Exists)}");
            await Task.Delay(200);
        }
        var page = await test.Jobs(silos[0]).ListAsync("anonymous", null, 100, false);
        Assert.That(page!.Value.Jobs.Select(j => j.Id), Is.EqualTo(ids), "the jobs stay listed");
        Assert.That(await test.Cluster.Client.GetGrain<IDispatcherGrain>(0).Expired(long.MaxValue, 100), Is.Empty, "nothing is left to sweep");
    }

    [Test]
    public async Task EachOwnerListsItsOwnJobsFromAnySiloAndADeletedJobLeavesTheList()
    {
        await using var test = await StartAsync(2);
        var silos = test.Cluster.Silos.ToList();
        var alice = new List<string>();
        var bob = new List<string>();
        for (int i = 0; i < 3; i++) alice.Add(await test.EnqueueAsync(silos[i % 2], i, steps: 1, owner: "alice"));
        for (int i = 0; i < 2; i++) bob.Add(await test.EnqueueAsync(silos[(i + 1) % 2], 10 + i, steps: 1, owner: "bob"));
        await test.WaitAllFinalAsync(silos[0], alice.Concat(bob).ToList(), TimeSpan.FromSeconds(60));

        async Task<List<string>> List(InProcessSiloHandle silo, string owner, string? after = null, int limit = 100, bool descending = false) =>
            (await test.Jobs(silo).ListAsync(owner, after, limit, descending))!.Value.Jobs.Select(j => j.Id).ToList();
        Assert.That(await List(silos[1], "alice"), Is.EqualTo(alice), "alice's jobs, oldest first, from either silo");
        Assert.That(await List(silos[0], "bob"), Is.EqualTo(bob));
        Assert.That(await List(silos[0], "alice", descending: true), Is.EqualTo(Enumerable.Reverse(alice)));
        var page = (await test.Jobs(silos[0]).ListAsync("alice", alice[0], 1, false))!.Value;
        Assert.That((page.Jobs.Single().Id, page.HasMore), Is.EqualTo((alice[1], true)), "a page after the first job");
        Assert.That(await test.Jobs(silos[0]).ListAsync("alice", bob[0], 10, false), Is.Null, "another owner's job is no cursor");

        Assert.That(await test.Jobs(silos[1]).DeleteAsync(alice[1], "bob"), Is.Null, "bob cannot delete alice's job");
        Assert.That(await test.Jobs(silos[1]).DeleteAsync(alice[1], "alice"), Is.Not.Null);
        Assert.That(await List(silos[0], "alice"), Is.EqualTo(new[] { alice[0], alice[2] }));
        Assert.That(await List(silos[0], "carol"), Is.Empty, "an owner with no jobs");
    }
}
