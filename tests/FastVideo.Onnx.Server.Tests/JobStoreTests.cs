using FastVideo.Onnx.Server.Jobs;
using FastVideo.Onnx.Server.Tests.Support;

namespace FastVideo.Onnx.Server.Tests;

/// <summary>The job table's state changes: attempts across restarts, the queue bound, expiry.</summary>
public class JobStoreTests
{
    static VideoJob Job(string owner = "anonymous") => new()
    {
        Id = JobIds.New(),
        Owner = owner,
        Model = "m",
        Status = JobStatus.Queued,
        CreatedAt = 1,
        Spec = new JobSpec { Prompt = "p", Width = 64, Height = 64, NumFrames = 9, Fps = 8, Seed = 1 },
    };

    [Test]
    public void A_job_interrupted_twice_fails_with_code_interrupted()
    {
        using var dir = new TempFolder();
        var job = Job();
        using (var store = JobStore.Open(dir.Path))
        {
            Assert.That(store.TryEnqueue(job, 10), Is.True);
            Assert.That(store.Claim("cpu", new[] { "m" }, Array.Empty<string>(), 2)!.Attempts, Is.EqualTo(1));
        }
        // The process died while the job ran: the next start queues it again.
        using (var store = JobStore.Open(dir.Path))
        {
            Assert.That(store.RecoverInterrupted(2, 3), Is.EqualTo((1, 0)));
            var again = store.Get(job.Id)!;
            Assert.That(again.Status, Is.EqualTo(JobStatus.Queued));
            Assert.That(store.Claim("cpu", new[] { "m" }, Array.Empty<string>(), 4)!.Attempts, Is.EqualTo(2));
        }
        using (var store = JobStore.Open(dir.Path))
        {
            Assert.That(store.RecoverInterrupted(2, 5), Is.EqualTo((0, 1)));
            var failed = store.Get(job.Id)!;
            Assert.That(failed.Status, Is.EqualTo(JobStatus.Failed));
            Assert.That(failed.ErrorCode, Is.EqualTo("interrupted"));
            Assert.That(failed.ErrorMessage, Does.Contain("2 times"));
            Assert.That(failed.CompletedAt, Is.EqualTo(5));
        }
    }

    [Test]
    public void A_job_stopped_by_shutdown_is_queued_again_without_counting_the_attempt()
    {
        using var dir = new TempFolder();
        using var store = JobStore.Open(dir.Path);
        var job = Job();
        store.TryEnqueue(job, 10);
        store.Claim("cpu", new[] { "m" }, Array.Empty<string>(), 2);
        Assert.That(store.Requeue(job.Id), Is.True);
        var queued = store.Get(job.Id)!;
        Assert.That((queued.Status, queued.Attempts), Is.EqualTo((JobStatus.Queued, 0)));
    }

    [Test]
    public void The_queue_takes_max_queue_jobs_and_claims_prefer_loaded_models()
    {
        using var dir = new TempFolder();
        using var store = JobStore.Open(dir.Path);
        var first = Job() with { Model = "a" };
        var second = Job() with { Model = "b" };
        Assert.That(store.TryEnqueue(first, 2), Is.True);
        Assert.That(store.TryEnqueue(second, 2), Is.True);
        Assert.That(store.TryEnqueue(Job(), 2), Is.False, "a third waiting job is refused");
        Assert.That(store.Claim("w", new[] { "a", "b" }, new[] { "b" }, 1)!.Id, Is.EqualTo(second.Id), "the loaded model's job first");
        Assert.That(store.Claim("w", new[] { "b" }, new[] { "b" }, 1), Is.Null, "never a job of a model the worker lacks");
        Assert.That(store.TryEnqueue(Job(), 2), Is.True, "room again once one is taken");
    }

    [Test]
    public void Expired_lists_completed_jobs_past_expires_at_until_their_outputs_are_cleared()
    {
        using var dir = new TempFolder();
        using var store = JobStore.Open(dir.Path);
        var job = Job();
        store.TryEnqueue(job, 10);
        store.Claim("w", new[] { "m" }, Array.Empty<string>(), 1);
        store.Complete(job.Id, "videos/x.mp4", "videos/x.jpg", 10, 20);
        Assert.That(store.Expired(19), Is.Empty);
        Assert.That(store.Expired(20).Select(j => j.Id), Is.EqualTo(new[] { job.Id }));
        store.ClearOutputs(job.Id);
        Assert.That(store.Expired(30), Is.Empty);
        Assert.That(store.Get(job.Id)!.Status, Is.EqualTo(JobStatus.Completed), "the job stays listed");
    }
}
