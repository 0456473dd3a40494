using FastVideo.Onnx.Server.Jobs;

namespace FastVideo.Onnx.Server.Tests;

/// <summary>The in-memory fan-out of job events to the streams that watch them.</summary>
[TestFixture]
public sealed class JobEventsTests
{
    static JobEvent Progress(string id, int step) => new(JobEvent.ProgressKind, id, step % 100, "denoising", step, 1000);

    static List<JobEvent> Drain(JobEvents.Subscription watch)
    {
        var read = new List<JobEvent>();
        while (watch.Reader.TryRead(out var e)) read.Add(e);
        return read;
    }

    [Test]
    public void AStreamThatFallsBehindKeepsTheEndEvenWhenProgressArrivesAfterIt()
    {
        var events = new JobEvents();
        using var watch = events.Watch("job-a");
        for (int i = 0; i < 10; i++) events.Publish(Progress("job-a", i));
        events.Publish(new JobEvent(JobEvent.CompletedKind, "job-a", 100, null, 0, 0));
        // Progress sent before the end but handed over after it, more than a stream buffers.
        for (int i = 10; i < 3 * JobEvents.PendingProgressLimit; i++) events.Publish(Progress("job-a", i));

        var read = Drain(watch);
        Assert.That(read.Count(e => e.IsFinal), Is.EqualTo(1), "the end is kept");
        Assert.That(read.Count, Is.LessThanOrEqualTo(JobEvents.PendingProgressLimit + 1), "pending progress is bounded");
        Assert.That(read.Take(10).Select(e => e.Step), Is.EqualTo(Enumerable.Range(0, 10)), "events keep their order");
    }

    [Test]
    public void TheEndPublishedToAFullStreamIsStillDelivered()
    {
        var events = new JobEvents();
        using var watch = events.Watch("job-b");
        for (int i = 0; i < 2 * JobEvents.PendingProgressLimit; i++) events.Publish(Progress("job-b", i));
        events.Publish(new JobEvent(JobEvent.FailedKind, "job-b", 40, null, 0, 0));

        var read = Drain(watch);
        Assert.That(read[^1].Kind, Is.EqualTo(JobEvent.FailedKind));
        Assert.That(read.Count, Is.EqualTo(JobEvents.PendingProgressLimit + 1));
    }

    [Test]
    public void EventsReachOnlyTheirJobsStreamsAndStopAfterDispose()
    {
        var events = new JobEvents();
        using var a = events.Watch("job-a");
        var b = events.Watch("job-b");
        events.Publish(Progress("job-a", 1));
        b.Dispose();
        events.Publish(Progress("job-b", 2));
        Assert.That(Drain(a).Select(e => e.JobId), Is.EqualTo(new[] { "job-a" }));
        Assert.That(Drain(b), Is.Empty);
    }
}
