using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift) against Diffusers (float32).</summary>
public class FlowMatchEulerDiscreteSchedulerTests
{
    // Parsed from text like a file on disk (JsonConfig reads numbers of parsed documents).
    static JsonConfig Config(double shift) => new("flowmatch/scheduler_config.json", JsonNode.Parse(
        $$"""{"_class_name": "FlowMatchEulerDiscreteScheduler", "num_train_timesteps": 1000, "shift": {{shift:R}}}""")!.AsObject());

    static void AssertMatchesDiffusers(IScheduler scheduler, string prefix)
    {
        var expectedTimesteps = Reference.Get($"{prefix}_timesteps");
        int steps = expectedTimesteps.Data.Length;
        scheduler.SetTimesteps(steps);
        Assert.That(scheduler.TimestepDType, Is.EqualTo(DType.Float32));
        Compare.Close(scheduler.Timesteps.ToArray(), [steps], expectedTimesteps, 1e-5, $"{prefix}_timesteps");
        Compare.Close(scheduler.Sigmas.ToArray(), [steps + 1], Reference.Get($"{prefix}_sigmas"), 1e-5, $"{prefix}_sigmas");

        var init = Reference.Get("latents_init");
        var x = (float[])init.Data.Clone();
        var modelOutput = new float[x.Length];
        for (int i = 0; i < steps; i++)
        {
            for (int e = 0; e < x.Length; e++) modelOutput[e] = (float)Math.Cos(x[e] * (i + 1)) * 0.5f;
            scheduler.Step(modelOutput, i, x);
        }
        Compare.Close(x, init.Shape, Reference.Get($"{prefix}_final"), 1e-5, $"{prefix}_final");
    }

    [TestCase(3.0, "flowmatch_shift3")]
    [TestCase(8.0, "flowmatch_shift8")]
    public void ScheduleAndStepsMatchDiffusers(double shift, string prefix) =>
        AssertMatchesDiffusers(SchedulerFactory.Create(Config(shift)), prefix);

    [Test]
    public void FlowShiftOverrideReplacesTheConfigShift() =>
        AssertMatchesDiffusers(SchedulerFactory.Create(Config(3.0), new SchedulerOverrides { FlowShift = 8.0 }), "flowmatch_shift8");

    [Test]
    public void DefaultsConstructorMatchesTheConfig() =>
        AssertMatchesDiffusers(new FlowMatchEulerDiscreteScheduler(shift: 3.0), "flowmatch_shift3");
}
