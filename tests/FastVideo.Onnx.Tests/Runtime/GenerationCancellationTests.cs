using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Tensors;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>
/// Cancelling a run from inside it (the step callback cancels the token, so the point is deterministic): the run stops
/// before the next step with OperationCanceledException, and the generator stays usable.
/// </summary>
public class GenerationCancellationTests
{
    [Test]
    public void StopsBetweenStepsAndTheGeneratorStaysUsable()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo);
        using var cancel = new CancellationTokenSource();
        var steps = new List<int>();
        var stages = new List<string>();
        var progress = new FastVideo.Onnx.Core.Progress.CallbackProgress<GenerationProgress>(p => stages.Add(p.Stage));
        Assert.Catch<OperationCanceledException>(() => generator.Generate(FixtureSettings.Request(), progress, cancel.Token, (step, _) =>
        {
            steps.Add(step);
            if (step == 0) cancel.Cancel();
        }));
        Assert.That(steps, Is.EqualTo(new[] { 0 }), "no step ran after the cancellation");
        Assert.That(stages, Does.Not.Contain("decoding"), "the run did not go on to decode");

        // The same generator (its gate, tensor pool and scheduler state) gives the reference result afterwards.
        var result = generator.Generate(FixtureSettings.Request() with { LatentsOnly = true });
        Compare.Close(result.Latents.Data, result.Latents.Shape, Reference.Get("pipeline_final_latents"), 1e-3, "t2v final latents after a cancelled run");
    }

    [Test]
    public void AsyncRunStopsBetweenSteps()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo);
        using var cancel = new CancellationTokenSource();
        var steps = new List<int>();
        Assert.CatchAsync<OperationCanceledException>(() => generator.GenerateAsync(FixtureSettings.Request() with { LatentsOnly = true }, null, cancel.Token,
            (step, _) =>
            {
                steps.Add(step);
                if (step == 1) cancel.Cancel();
            }));
        Assert.That(steps, Is.EqualTo(new[] { 0, 1 }));
    }
}
