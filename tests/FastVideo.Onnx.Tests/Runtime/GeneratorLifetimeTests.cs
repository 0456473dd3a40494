using FastVideo.Onnx.Core.Progress;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>
/// A generator's lifetime against requests in flight: Dispose at any moment (ONNX Runtime sessions must never be freed
/// under a running call, which ends the process with a segmentation fault), calls after Dispose, and concurrent calls
/// (serialised).
/// </summary>
public class GeneratorLifetimeTests
{
    static GenerationRequest LongRequest() => FixtureSettings.Request() with { Steps = 12 };

    [Test]
    public async Task DisposeDuringARunIsSafeAtAnyMoment()
    {
        var random = new Random(20260601);
        int interrupted = 0, finished = 0;
        for (int i = 0; i < 20; i++)
        {
            var generator = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var progress = new CallbackProgress<GenerationProgress>(p =>
            {
                if (p.Stage == "denoising" || p.Steps > 0) started.TrySetResult();
            });
            var run = generator.GenerateAsync(LongRequest(), progress);
            await Task.WhenAny(started.Task, run);
            // Anywhere from the start of denoising to (for the longest delays) decoding or after the run.
            Thread.Sleep(random.Next(0, 120));
            generator.Dispose();
            try
            {
                await run;
                finished++;
            }
            catch (ObjectDisposedException)
            {
                interrupted++;
            }
            Assert.ThrowsAsync<ObjectDisposedException>(() => generator.GenerateAsync(LongRequest()), "a call after Dispose");
            Assert.Throws<ObjectDisposedException>(() => generator.Generate(LongRequest()), "a synchronous call after Dispose");
            generator.Dispose(); // a second Dispose does nothing
        }
        TestContext.Out.WriteLine($"{interrupted} runs interrupted by Dispose, {finished} finished first");
        Assert.That(interrupted, Is.GreaterThan(0), "some of the disposals hit a running request");
    }

    [Test]
    public void DisposeFromInsideTheRunDoesNotDeadlock()
    {
        var generator = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo);
        var steps = new List<int>();
        Assert.Throws<ObjectDisposedException>(() => generator.Generate(LongRequest(), null, default, (step, _) =>
        {
            steps.Add(step);
            if (step == 1) generator.Dispose();
        }));
        Assert.That(steps, Is.EqualTo(new[] { 0, 1 }), "no step ran after Dispose");
    }

    [Test]
    public async Task ConcurrentCallsAreSerialisedAndEachGivesTheReference()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo);
        // Each call records its id at every denoising step; serialised calls leave one unbroken run of steps per call
        // (a count of running calls would race with the continuations that run after each call returns).
        var order = new List<int>();
        Task<GenerationResult> One(int id) => generator.GenerateAsync(FixtureSettings.Request() with { LatentsOnly = true }, null, default,
            (_, _) =>
            {
                lock (order) order.Add(id);
            });
        var results = await Task.WhenAll(One(0), One(1), One(2));
        var runs = order.Where((id, i) => i == 0 || order[i - 1] != id).ToList();
        Assert.That(runs, Is.Unique, $"no two requests ran at once (steps in order of calls: {string.Join(",", order)})");
        Assert.That(runs, Has.Count.EqualTo(3));
        foreach (var result in results)
            Compare.Close(result.Latents.Data, result.Latents.Shape, Reference.Get("pipeline_final_latents"), 1e-3, "t2v final latents of concurrent calls");
    }

    [Test]
    public async Task ACallWaitingForTheGateEndsWhenTheGeneratorIsDisposed()
    {
        var generator = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo);
        using var inStep = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = generator.GenerateAsync(LongRequest(), null, default, (step, _) =>
        {
            inStep.Set();
            release.Wait();
        });
        try
        {
            Assert.That(inStep.Wait(TimeSpan.FromMinutes(1)), Is.True, "the first request reached its first step");
            var second = generator.GenerateAsync(LongRequest());
            await Task.Delay(50);
            Assert.That(second.IsCompleted, Is.False, "the second request waits for the first");
            generator.Dispose();
            Assert.ThrowsAsync<ObjectDisposedException>(() => second, "the waiting request");
        }
        finally
        {
            release.Set();
        }
        Assert.ThrowsAsync<ObjectDisposedException>(() => first, "the running request");
    }
}
