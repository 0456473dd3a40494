using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime.MultiDevice;

/// <summary>
/// Whole pipelines on two CPU devices (each its own sessions and tensor pool: the code a two-GPU machine runs, with
/// host copies in place of peer copies): CFG-parallel Wan2.1 and TI2V, A14B's experts one per device; each against the
/// one-device run of the same request and against Diffusers' reference.
/// </summary>
public class MultiDevicePipelineTests
{
    /// <summary>What two independent runs of one graph on one CPU may differ by (the CFG halves run batch 1, not batch 2).</summary>
    const double SameRun = 1e-5;

    static GeneratorOptions TwoDevices(string parallelism, List<string>? notices = null) => new()
    {
        Runtime = new RuntimeOptions { DeviceIds = "0,1", Parallelism = parallelism },
        Notice = notices is null ? null : notices.Add,
    };

    static double Measured(float[] actual, float[] expected, string what)
    {
        double err = Compare.MaxAbs(actual, expected);
        TestContext.Out.WriteLine($"{what}: max abs difference from one device {err:E3}");
        return err;
    }

    static int Sessions(ExecutionDevice device, string component) => device.OpenedSessions.Count(l => l.StartsWith(component + "/", StringComparison.Ordinal));

    [Test]
    public void CfgParallelVideoEqualsOneDeviceAndDiffusers()
    {
        var notices = new List<string>();
        using var one = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo);
        using var two = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo, TwoDevices("cfg", notices));
        var request = FixtureSettings.Request();
        var expected = one.Generate(request);
        var result = two.Generate(request);

        Assert.That(Measured(result.Video!.Tensor.Data, expected.Video!.Tensor.Data, "cfg-parallel t2v video"), Is.LessThanOrEqualTo(SameRun));
        Assert.That(Measured(result.Latents.Data, expected.Latents.Data, "cfg-parallel t2v latents"), Is.LessThanOrEqualTo(SameRun));
        Compare.Close(result.Latents.Data, result.Latents.Shape, Reference.Get("pipeline_final_latents"), 1e-3, "cfg-parallel t2v final latents");
        Compare.Close(result.Video.Tensor.Data, result.Video.Tensor.Shape, Reference.Get("pipeline_video"), 2e-3, "cfg-parallel t2v video");

        var placement = two.Placement;
        Assert.That(Sessions(placement.Second!, "transformer"), Is.EqualTo(1), "the second device holds a transformer session");
        Assert.That(placement.Second!.OpenedSessions.Where(l => !l.StartsWith("transformer/", StringComparison.Ordinal)), Is.Empty,
            "encoders and VAE stay on the first device");
        Assert.That(Sessions(placement.Main, "transformer"), Is.EqualTo(1));
        Assert.That(placement.Second.Pool.Count, Is.GreaterThan(0), "the unconditional half ran on the second device's tensors");
        Assert.That(notices, Has.Some.Contains("Runtime:Parallelism cfg"));
    }

    /// <summary>A second request on the same generator (other prompt and noise) gets its own embeddings on the second device.</summary>
    [Test]
    public void CfgParallelSecondRequestUsesItsOwnEmbeddings()
    {
        using var one = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo);
        using var two = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo, TwoDevices("auto"));
        var first = FixtureSettings.Request() with { Steps = 2, LatentsOnly = true };
        var second = first with { Prompt = "a different prompt", NegativePrompt = "other negative words", Latents = null, Seed = 7 };
        two.Generate(first);
        var expected = one.Generate(second).Latents.Data;
        var result = two.Generate(second).Latents.Data;
        Assert.That(Measured(result, expected, "cfg-parallel second request"), Is.LessThanOrEqualTo(SameRun));
    }

    /// <summary>
    /// Guidance off on a cfg placement: the batch-1 call runs on the first device alone (documented pass-through), and
    /// gives the one-device result.
    /// </summary>
    [Test]
    public void CfgParallelPassesUnguidedRequestsThrough()
    {
        using var one = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo);
        using var two = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo, TwoDevices("cfg"));
        var request = FixtureSettings.Request() with { GuidanceScale = 1.0, Steps = 2, LatentsOnly = true };
        var expected = one.Generate(request).Latents.Data;
        var result = two.Generate(request).Latents.Data;
        Assert.That(Measured(result, expected, "cfg placement, guidance off"), Is.LessThanOrEqualTo(SameRun));
        Assert.That(two.Placement.Second!.Pool.Count, Is.EqualTo(0), "nothing ran on the second device");
    }

    /// <summary>Wan2.2 TI2V: per-token timesteps [2, S] split into one [1, S] per device.</summary>
    [Test]
    public void CfgParallelSplitsPerTokenTimesteps()
    {
        double guidance = Wan22Fixture.Setting("ti2v_guidance_scale").GetDouble();
        var request = Wan22Fixture.Request("ti2v_latents_init", Wan22Fixture.Setting("steps").GetInt32(), guidance) with { LatentsOnly = true };
        using var one = VideoGenerator.FromPretrained(Wan22Fixture.Ti2vConverted);
        using var two = VideoGenerator.FromPretrained(Wan22Fixture.Ti2vConverted, TwoDevices("cfg"));
        var expected = one.Generate(request).Latents;
        var result = two.Generate(request).Latents;
        Assert.That(Measured(result.Data, expected.Data, "cfg-parallel ti2v latents"), Is.LessThanOrEqualTo(SameRun));
        Compare.Close(result.Data, result.Shape, Wan22Fixture.Get("ti2v_t2v_final_latents"), 1e-3, "cfg-parallel ti2v final latents");
    }

    [Test]
    public void A14bExpertsOnTwoDevicesEqualOneDeviceAndDiffusers()
    {
        int steps = Wan22Fixture.Setting("a14b_steps").GetInt32();
        var request = Wan22Fixture.Request("a14b_latents_init", steps, Wan22Fixture.Setting("guidance_scale").GetDouble(),
            Wan22Fixture.Setting("guidance_scale_2").GetDouble()) with { LatentsOnly = true };
        var notices = new List<string>();
        using var one = VideoGenerator.FromPretrained(Wan22Fixture.A14bT2vConverted);
        // auto: a two-expert model places its experts.
        using var two = VideoGenerator.FromPretrained(Wan22Fixture.A14bT2vConverted, TwoDevices("auto", notices));
        var expected = one.Generate(request).Latents;
        var result = two.Generate(request).Latents;
        var again = two.Generate(request).Latents;
        Assert.That(Measured(result.Data, expected.Data, "a14b experts on two devices"), Is.LessThanOrEqualTo(SameRun));
        Assert.That(again.Data, Is.EqualTo(result.Data), "a second request gives the same latents");
        Compare.Close(result.Data, result.Shape, Wan22Fixture.Get("a14b_t2v_final_latents"), 1e-3, "a14b experts on two devices, final latents");

        var (main, second) = (two.Placement.Main, two.Placement.Second!);
        Assert.That((Sessions(main, "transformer"), Sessions(main, "transformer_2")), Is.EqualTo((1, 0)), "transformer opened once, on the first device");
        Assert.That((Sessions(second, "transformer"), Sessions(second, "transformer_2")), Is.EqualTo((0, 1)), "transformer_2 opened once, on the second device");
        Assert.That(notices, Has.Some.Contains("Runtime:Parallelism experts"));
    }

    /// <summary>After a run and after a run that fails half-way, every pool holds as many rented tensors as before (none leaked).</summary>
    [Test]
    public void NoPoolBufferLeaksAfterRunsAndFailures()
    {
        using var two = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo, TwoDevices("cfg"));
        var request = FixtureSettings.Request() with { Steps = 3, LatentsOnly = true };
        var pools = two.Placement.Devices.Select(d => d.Pool).ToArray();
        two.Generate(request);
        var afterRun = pools.Select(p => p.Rented).ToArray();
        two.Generate(request);
        Assert.That(pools.Select(p => p.Rented), Is.EqualTo(afterRun), "a second run rents nothing more");
        Assert.That(() => two.Generate(request, stepEnd: (step, _) => throw new InvalidOperationException($"stopped at step {step}")),
            Throws.InvalidOperationException.With.Message.EqualTo("stopped at step 0"));
        Assert.That(pools.Select(p => p.Rented), Is.EqualTo(afterRun), "a failed run returns what it rented");
        Assert.That(two.Generate(request).Latents.Data.All(float.IsFinite), Is.True, "the generator still works after the failure");
    }

    [TestCase("ring", "Runtime:Parallelism", "'ring' is not one of auto, none, cfg, experts")]
    [TestCase("cfg", "Runtime:Parallelism", "cfg needs two devices in Runtime:DeviceIds")]
    public void ParallelismErrorsNameTheSetting(string parallelism, string field, string message)
    {
        var options = new RuntimeOptions { Parallelism = parallelism };
        var e = Assert.Throws<InvalidRequestException>(options.Validate)!;
        Assert.That(e.Field, Is.EqualTo(field));
        Assert.That(e.Message, Does.StartWith($"{field}: ").And.Contains(message).And.Not.Contains("\n"));
    }

    [TestCase("0,0", "lists device 0 twice")]
    [TestCase("0,x", "is not a list of device indices")]
    [TestCase("", "is not a list of device indices")]
    [TestCase("0,1,2", "one pipeline uses at most two")]
    public void DeviceListErrorsNameTheSetting(string ids, string message)
    {
        var e = Assert.Throws<InvalidRequestException>(new RuntimeOptions { DeviceIds = ids }.Validate)!;
        Assert.That(e.Field, Is.EqualTo("Runtime:DeviceIds"));
        Assert.That(e.Message, Does.Contain(message).And.Not.Contains("\n"));
    }

    [Test]
    public void ConflictingSettingsAreRefused()
    {
        var keep = Assert.Throws<InvalidRequestException>(new RuntimeOptions { DeviceIds = "0,1", Parallelism = "experts", KeepBothExperts = false }.Validate)!;
        Assert.That(keep.Field, Is.EqualTo("Runtime:KeepBothExperts"));
        var id = Assert.Throws<InvalidRequestException>(new RuntimeOptions { DeviceIds = "1,2", DeviceId = 3 }.Validate)!;
        Assert.That(id.Field, Is.EqualTo("Runtime:DeviceIds"));
        Assert.That(new RuntimeOptions { DeviceIds = "2,3", DeviceId = 2, Parallelism = "CFG" }.DeviceIdList(), Is.EqualTo(new[] { 2, 3 }));
    }

    [Test]
    public void ExpertsForAModelWithOneTransformerIsAnError()
    {
        var e = Assert.Throws<InvalidRequestException>(() => VideoGenerator.FromPretrained(ConvertedModels.TextToVideo, TwoDevices("experts")))!;
        Assert.That(e.Field, Is.EqualTo("Runtime:Parallelism"));
        Assert.That(e.Message, Does.Contain("this model has one transformer").And.Not.Contains("\n"));
    }

    /// <summary>A pipeline that places nothing on the second device (FastWan's DMD: no guidance) says so.</summary>
    [Test]
    public void UnusedSecondDeviceIsNoticed()
    {
        var notices = new List<string>();
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.FastWan, TwoDevices("auto", notices));
        Assert.That(notices, Has.Some.Contains("Runtime:DeviceIds: WanDMDPipeline places nothing on device 1"));
        Assert.That(generator.Placement.Second!.OpenedSessions, Is.Empty);
    }
}
