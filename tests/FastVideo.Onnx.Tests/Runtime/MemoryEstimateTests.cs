using System.Globalization;
using System.Text.RegularExpressions;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>
/// The memory estimate against the peak resident memory a real generate process reaches (its VmHWM, which generate
/// prints next to the estimate) on the tiny model at several sizes: within a factor of 1.5 either way. And the guard in
/// the library: a request above Runtime:MemoryLimitMiB is refused before it runs.
/// </summary>
public class MemoryEstimateTests
{
    const double Factor = 1.5;

    [Platform("Linux")]
    [TestCase(192, 192, 17)]
    [TestCase(320, 320, 9)]
    [TestCase(128, 256, 33)]
    public void TheEstimateIsWithinAFactorOfTheMeasuredPeak(int height, int width, int frames)
    {
        using var dir = Repo.Temp();
        using var cli = new CliProcess(new[]
        {
            "generate", "--model", ConvertedModels.TextToVideo, "--prompt", "a cat", "--height", height.ToString(), "--width", width.ToString(),
            "--num-frames", frames.ToString(), "--steps", "1", "--seed", "1", "--device", "cpu", "--output", dir["out.safetensors"],
        });
        Assert.That(cli.WaitForExit(TimeSpan.FromMinutes(3)), Is.EqualTo(0), cli.ToString());
        var line = Regex.Match(cli.Out, @"peak memory\s+([\d,]+) MiB \(estimated ([\d,]+) MiB\)");
        Assert.That(line.Success, Is.True, cli.ToString());
        double measured = double.Parse(line.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        double estimated = double.Parse(line.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine($"{width}x{height}, {frames} frames: measured {measured} MiB, estimated {estimated} MiB ({estimated / measured:F2}x)");
        Assert.That(estimated / measured, Is.InRange(1 / Factor, Factor), $"estimate {estimated} MiB against a measured peak of {measured} MiB");
    }

    [Test]
    public void TheLibraryRefusesARequestAboveTheLimitBeforeRunningIt()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo, new GeneratorOptions { Runtime = new RuntimeOptions { MemoryLimitMiB = 64 } });
        var stages = new List<string>();
        var progress = new FastVideo.Onnx.Core.Progress.CallbackProgress<GenerationProgress>(p => stages.Add(p.Stage));
        var e = Assert.ThrowsAsync<InvalidRequestException>(() => generator.GenerateAsync(FixtureSettings.Request(), progress));
        Assert.That(e!.Message, Does.Contain("above the limit of 64 MiB").And.Contain("Runtime:MemoryLimitMiB"));
        Assert.That(stages, Is.Empty, "no stage ran");
        var estimate = generator.EstimateMemory(FixtureSettings.Request())!;
        Assert.That(estimate.PeakBytes, Is.GreaterThan(64L << 20));
        Assert.That(e.Message, Does.Contain(MemoryEstimate.MiB(estimate.PeakBytes)));
    }

    [Test]
    public void TheEstimateGrowsWithEachSize()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo);
        long At(int h, int w, int f) => generator.EstimateMemory(FixtureSettings.Request() with { Height = h, Width = w, NumFrames = f, Latents = null })!.PeakBytes;
        Assert.That(At(128, 128, 9), Is.LessThan(At(256, 128, 9)));
        Assert.That(At(128, 128, 9), Is.LessThan(At(128, 256, 9)));
        Assert.That(At(128, 128, 9), Is.LessThan(At(128, 128, 17)));
    }

    /// <summary>Each family's runners state their own shape constants: LTX's scalar patch and 4x feed-forward, its VAE's stated ratios; Wan2.2's 16x VAE.</summary>
    [Test]
    public void EachFamilyStatesItsShapeFromItsOwnConfigFields()
    {
        var ltx = MemoryEstimate.ModelFacts.Read(ConvertedModels.Ltx, FastVideo.Onnx.Core.Models.ConvertedModel.Load(ConvertedModels.Ltx));
        Assert.That((ltx.Heads, ltx.HeadDim, ltx.FfnDim, ltx.LatentChannels), Is.EqualTo((2, 16, 4 * 2 * 16, 8)));
        Assert.That(ltx.Patch, Is.EqualTo(new[] { 1, 1, 1 }));
        Assert.That((ltx.TemporalScale, ltx.SpatialScale), Is.EqualTo((8, 32)), "the LTX VAE's temporal_compression_ratio and spatial_compression_ratio");

        var ti2v = MemoryEstimate.ModelFacts.Read(Wan22Fixture.Ti2vConverted, FastVideo.Onnx.Core.Models.ConvertedModel.Load(Wan22Fixture.Ti2vConverted));
        Assert.That((ti2v.Heads, ti2v.HeadDim, ti2v.FfnDim, ti2v.LatentChannels), Is.EqualTo((2, 24, 96, 48)));
        Assert.That((ti2v.TemporalScale, ti2v.SpatialScale), Is.EqualTo((4, 16)), "the Wan2.2 VAE's scale factors");
        Assert.That(ti2v.VaeFullResChannels, Is.EqualTo(12 * 2), "decoder_base_dim times the wider of dim_mult[0] and dim_mult[1]");
        Assert.That(ti2v.WeightBytes, Is.GreaterThan(0));
        Assert.That(ti2v.VaeOutputPatch, Is.EqualTo(2), "the decoder unpacks 2x2 pixel patches (patch_size)");
    }

    /// <summary>
    /// The VAE decode estimate at a preset, from the real VAE config read by its family's runner, against what one H200
    /// measured on 2026-12-01 (fp16 decodes; docs/bench/2026-12-01-h200-{wan22,ltx}-ours.json): within 2x. Before the
    /// estimate knew the VAE's precision and a patchified decoder's half-resolution last stages it priced Wan2.2's decode
    /// at 126,720 MiB and refused the request on a 141 GB GPU.
    /// </summary>
    [TestCase("wan2.2-ti2v-5b", 704, 1280, 121, 12.53)]
    [TestCase("ltx-video-0.9.5", 512, 768, 161, 9.02)]
    public void TheVaeDecodeEstimateIsNearWhatTheH200Measured(string config, int height, int width, int frames, double measuredGiB)
    {
        var json = FastVideo.Onnx.Core.Json.JsonConfig.Load(Path.Combine(Repo.Root, "models", "configs", config, "vae", "config.json"));
        var vae = config.StartsWith("ltx", StringComparison.Ordinal)
            ? FastVideo.Onnx.Runtime.Components.Ltx.LtxVaeRunner.Footprint(json)
            : FastVideo.Onnx.Runtime.Components.Wan.WanVaeRunner.Footprint(json);
        var facts = new MemoryEstimate.ModelFacts(0, 1, 1, 1, new[] { 1, 1, 1 }, 16, vae.FullResolutionChannels, vae.TemporalScale, vae.SpatialScale)
        {
            VaeOutputPatch = vae.OutputPatch,
            VaeElementBytes = 2,
        };
        var estimate = MemoryEstimate.For(facts, new RequestShape(height, width, frames, Guidance: true, TextLength: 128), gpu: true);
        double measured = measuredGiB * (1L << 30);
        Assert.That(estimate.VaeBytes / measured, Is.InRange(0.5, 2.0), $"{config}: VAE decode estimate {MemoryEstimate.MiB(estimate.VaeBytes)} against {measuredGiB} GiB measured");
    }

    /// <summary>
    /// Spread over devices: on the CPU every device's weights are host memory, so a second device's transformer and each
    /// extra sequence-parallel rank's count; a GPU's estimate counts its own half of a CFG-parallel batch and leaves out
    /// an expert placed on the other GPU.
    /// </summary>
    [Test]
    public void PlacementsCountTheWeightsAndBatchTheFirstDeviceHolds()
    {
        var request = FixtureSettings.Request() with { Latents = null };
        long Weights(string folder, GeneratorOptions? options = null)
        {
            using var generator = VideoGenerator.FromPretrained(folder, options);
            return generator.EstimateMemory(request)!.WeightBytes;
        }
        var model = MemoryEstimate.ModelFacts.Read(ConvertedModels.TextToVideo, FastVideo.Onnx.Core.Models.ConvertedModel.Load(ConvertedModels.TextToVideo));
        Assert.That(model.TransformerBytes, Is.GreaterThan(0).And.LessThan(model.WeightBytes));
        long one = Weights(ConvertedModels.TextToVideo);
        Assert.That(one, Is.EqualTo(model.WeightBytes));
        var cfg = new GeneratorOptions { Runtime = new RuntimeOptions { DeviceIds = "0,1", Parallelism = "cfg" } };
        Assert.That(Weights(ConvertedModels.TextToVideo, cfg), Is.EqualTo(one + model.TransformerBytes), "the second CPU device's transformer");
        var sequence = new GeneratorOptions { Runtime = new RuntimeOptions { Parallelism = "sequence" } };
        var spModel = MemoryEstimate.ModelFacts.Read(ConvertedModels.TextToVideoSequenceParallel,
            FastVideo.Onnx.Core.Models.ConvertedModel.Load(ConvertedModels.TextToVideoSequenceParallel));
        Assert.That(Weights(ConvertedModels.TextToVideoSequenceParallel, sequence), Is.EqualTo(spModel.WeightBytes + spModel.TransformerBytes),
            "two rank sessions, each with the transformer's weights");

        var shape = new RequestShape(480, 832, 81, Guidance: true, TextLength: 512);
        var alone = MemoryEstimate.For(model, shape, gpu: true);
        var split = MemoryEstimate.For(model, shape, gpu: true, new MemoryPlacement(GuidanceSplit: true));
        Assert.That(split.TransformerBytes, Is.EqualTo(alone.TransformerBytes / 2).Within(1), "half the guided batch on this GPU");
        Assert.That(split.PersistentBytes, Is.EqualTo(alone.PersistentBytes), "the batch-2 input and output stay on the first device");
        var experts = model with { SecondExpertBytes = 1000 };
        Assert.That(MemoryEstimate.For(experts, shape, gpu: true, new MemoryPlacement(SecondExpertElsewhere: true)).WeightBytes, Is.EqualTo(model.WeightBytes - 1000));
    }
}
