using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>
/// FlowMatchEulerDiscreteScheduler with use_dynamic_shifting and shift_terminal, as LTXPipeline drives it (sigmas
/// linspace(1, 1/n, n), mu = calculate_shift(token count)), against the timesteps Diffusers' pipeline used.
/// </summary>
public class FlowMatchDynamicShiftingTests
{
    static IShiftedSigmaScheduler Ltx() =>
        (IShiftedSigmaScheduler)SchedulerFactory.Load(LtxFixture.Scheduler);

    [Test]
    public void LtxScheduleIsExactlyDiffusers()
    {
        var scheduler = Ltx();
        Assert.That(scheduler.UsesDynamicShifting, Is.True);
        var grid = LtxFixture.Setting("latent_shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        long tokens = grid[2] * grid[3] * grid[4];
        int steps = LtxFixture.Setting("num_inference_steps").GetInt32();
        // calculate_shift(36, 1024, 4096, 0.95, 2.05)
        double mu = scheduler.CalculateShift(tokens);
        Assert.That(mu, Is.EqualTo(0.95 - (2.05 - 0.95) / (4096 - 1024) * (1024 - tokens)).Within(1e-12));
        var sigmas = Enumerable.Range(0, steps).Select(i => 1.0 - i * (1.0 - 1.0 / steps) / (steps - 1)).ToArray();
        scheduler.SetTimesteps(sigmas, mu);
        var expected = LtxFixture.Setting("pipeline_timesteps").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        Assert.That(scheduler.Timesteps.ToArray(), Is.EqualTo(expected), "timesteps bit for bit");
        Assert.That(scheduler.Sigmas[^1], Is.EqualTo(0f));
        // shift_terminal: the last sigma before 0 is stretched to 0.1
        Assert.That(scheduler.Sigmas[^2], Is.EqualTo(0.1f).Within(1e-6));
    }

    [Test]
    public void ScheduleWithoutMuIsRefusedUnderDynamicShifting()
    {
        var scheduler = Ltx();
        Assert.Throws<InvalidOperationException>(() => scheduler.SetTimesteps(4));
        Assert.Throws<InvalidOperationException>(() => scheduler.SetTimesteps(new[] { 1.0, 0.5 }, null));
    }

    [Test]
    public void GivenSigmasWithAStaticShiftAreShifted()
    {
        var config = new JsonConfig("flowmatch/scheduler_config.json", JsonNode.Parse(
            """{"_class_name": "FlowMatchEulerDiscreteScheduler", "shift": 3.0}""")!.AsObject());
        var scheduler = (IShiftedSigmaScheduler)SchedulerFactory.Create(config);
        scheduler.SetTimesteps(new[] { 1.0, 0.5 }, null);
        // 3·0.5 / (1 + 2·0.5) = 0.75
        Assert.That(scheduler.Sigmas.ToArray(), Is.EqualTo(new[] { 1f, 0.75f, 0f }));
    }
}
