using System.Globalization;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Runtime.Tensors;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>FastVideo's WanDMDPipeline with Video Sparse Attention (fp32, CPU EP) against the fastwan-tiny references.</summary>
public class FastWanPipelineTests
{
    static void CompareRun(GenerationResult result, IReadOnlyDictionary<int, HostTensor>? steps, string what)
    {
        if (steps is not null)
            for (int i = 0; i < 3; i++)
                Compare.Close(steps[i].Data, steps[i].Shape, FastWanFixture.Get($"dmd_step{i}_x0"), 1e-3, $"{what}: x0 of DMD step {i}");
        Compare.Close(result.Latents.Data, result.Latents.Shape, FastWanFixture.Get("dmd_final_latents"), 1e-3, $"{what}: final latents");
        Assert.That(result.Video, Is.Not.Null);
        Compare.Close(result.Video!.Tensor.Data, result.Video.Tensor.Shape, FastWanFixture.Get("dmd_video"), 2e-3, $"{what}: video");
    }

    [Test]
    public void LibraryReproducesFastVideo()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.FastWan);
        Assert.That(generator.PipelineClass, Is.EqualTo("WanDMDPipeline"));
        Assert.That(generator.PresetName, Is.EqualTo("fastwan-tiny"));
        var steps = new Dictionary<int, HostTensor>();
        var result = generator.Generate(FastWanFixture.Request(), stepEnd: (i, x0) => steps[i] = x0);
        CompareRun(result, steps, "library DMD");
        Assert.That(result.Notices, Is.Empty);
    }

    [Test]
    public void LatentsFileReplacesTheInitialDrawOnly()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.FastWan);
        var init = FastWanFixture.Get("dmd_latents_init");
        var result = generator.Generate(FastWanFixture.Request() with { Latents = new HostTensor(init.Data, init.Shape) });
        CompareRun(result, null, "DMD from the fixture's initial latents");
    }

    [Test]
    public void GuidanceAndNegativePromptGetANotice()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.FastWan);
        var result = generator.Generate(FastWanFixture.Request() with { GuidanceScale = 5, NegativePrompt = "blurry", LatentsOnly = true });
        Assert.That(result.Notices, Has.One.Contains("GuidanceScale, NegativePrompt: ignored"));
        Compare.Close(result.Latents.Data, result.Latents.Shape, FastWanFixture.Get("dmd_final_latents"), 1e-3, "DMD with guidance requested (ignored)");
    }

    [Test]
    public void CliReproducesFastVideo()
    {
        using var dir = Repo.Temp();
        Directory.CreateDirectory(dir["out"]);
        string output = dir["out/fastwan.safetensors"];
        var r = Support.Cli.Run("generate", "--model", ConvertedModels.FastWan, "--prompt", FastWanFixture.Setting("prompt").GetString()!,
            "--height", "96", "--width", "128", "--num-frames", "17", "--max-sequence-length", "32", "--device", "cpu",
            "--seed", FastWanFixture.Seed.ToString(CultureInfo.InvariantCulture), "--vsa-sparsity", "0.5", "--dmd-steps", "1000,757,522",
            "--guidance-scale", "3", "--output", output);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(r.Err, Does.Contain("note: --guidance-scale: ignored, DMD sampling is unguided"));
        using var file = SafetensorsFile.Open(output);
        var latents = file.Tensors["latents"];
        var video = file.Tensors["video"];
        Compare.Close(file.ReadSingle(latents), latents.Shape, FastWanFixture.Get("dmd_final_latents"), 1e-3, "cli DMD final latents");
        Compare.Close(file.ReadSingle(video), video.Shape, FastWanFixture.Get("dmd_video"), 2e-3, "cli DMD video");
    }

    [TestCase(1.0)]
    [TestCase(-0.1)]
    [TestCase(double.NaN)]
    public void SparsityOutsideTheRangeIsRefused(double sparsity)
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.FastWan);
        var e = Assert.Throws<InvalidRequestException>(() => generator.Generate(FastWanFixture.Request() with { VsaSparsity = sparsity }))!;
        Assert.That(e.Field, Is.EqualTo(nameof(GenerationRequest.VsaSparsity)));
        Assert.That(e.Message, Does.Contain("[0, 1)"));
    }

    [TestCase(new[] { 1000, 1000, 522 }, "strictly decreasing")]
    [TestCase(new[] { 522, 757 }, "strictly decreasing")]
    [TestCase(new[] { 1001, 757 }, "outside [1, 1000]")]
    [TestCase(new[] { 1000, 0 }, "outside [1, 1000]")]
    [TestCase(new int[0], "at least one")]
    public void BadDmdStepsAreRefused(int[] steps, string problem)
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.FastWan);
        var e = Assert.Throws<InvalidRequestException>(() => generator.Generate(FastWanFixture.Request() with { DmdSteps = steps }))!;
        Assert.That(e.Field, Is.EqualTo(nameof(GenerationRequest.DmdSteps)));
        Assert.That(e.Message, Does.Contain(problem));
    }

    [Test]
    public void CliRefusesBadDmdStepsAndSparsityBeforeLoading()
    {
        using var dir = Repo.Temp();
        string output = dir["x.safetensors"];
        var steps = Support.Cli.Run("generate", "--model", ConvertedModels.FastWan, "--prompt", "p", "--dmd-steps", "1000,abc", "--output", output);
        Assert.That(steps.Code, Is.Not.EqualTo(0), steps.ToString());
        Assert.That(steps.Err.Trim(), Does.StartWith("error: --dmd-steps: 'abc' is not an integer"));
        var order = Support.Cli.Run("generate", "--model", ConvertedModels.FastWan, "--prompt", "p", "--dmd-steps", "522,757", "--output", output);
        Assert.That(order.Err.Trim(), Does.StartWith("error: --dmd-steps: timesteps must be strictly decreasing"), order.ToString());
        var sparsity = Support.Cli.Run("generate", "--model", ConvertedModels.FastWan, "--prompt", "p", "--vsa-sparsity", "1", "--output", output);
        Assert.That(sparsity.Err.Trim(), Does.StartWith("error: --vsa-sparsity: 1 must be in [0, 1)"), sparsity.ToString());
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void ScheduleSigmasAreTheShift8GridEntries()
    {
        var schedule = new DmdSchedule(DmdSchedule.DefaultSteps);
        var expected = FastWanFixture.Setting("dmd_sigmas").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.That(schedule.Sigmas, Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void DmdFolderWithoutGatesRunsDense()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(FastWanFixture.Model, dir, "source");
        string transformer = Path.Combine(model, "transformer");
        Directory.Delete(transformer, true);
        CheckpointCopy.Make(FastWanFixture.Transformer, transformer, name => name.Contains(".to_gate_compress.") ? "unused." + name : name);
        StripTensors(transformer, "unused.");
        string converted = ConvertedModels.Convert(model, "fastwan-dense-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.That(ComponentManifest.Load(Path.Combine(converted, "transformer")).Graphs[0].Inputs.Select(i => i.Name), Has.No.Member("vsa_sparsity"));

        using var generator = VideoGenerator.FromPretrained(converted);
        var steps = new Dictionary<int, HostTensor>();
        var result = generator.Generate(FastWanFixture.Request() with { LatentsOnly = true }, stepEnd: (i, x0) => steps[i] = x0);
        Assert.That(result.Notices, Has.One.Contains("VsaSparsity is ignored"));
        // step 0 at t=1000 has sigma 1: x0 = x - v, with v the same weights' full-attention output
        var init = FastWanFixture.Get("dmd_latents_init");
        var dense = FastWanFixture.Get("dense_out_t1000");
        var expected = init.Data.Select((x, i) => x - dense.Data[i]).ToArray();
        Compare.Close(steps[0].Data, steps[0].Shape, new RefTensor(expected, init.Shape), 1e-3, "dense DMD x0 of step 0");
    }

    [Test]
    public void GateOnANonDmdPipelineRunsVsaWithTheNormalSampler()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(FastWanFixture.Model, dir, "source");
        ModelCopy.EditText(Path.Combine(model, "model_index.json"), "\"WanDMDPipeline\"", "\"WanPipeline\"");
        string converted = ConvertedModels.Convert(model, "fastwan-unipc-" + Guid.NewGuid().ToString("N")[..8]);
        using var generator = VideoGenerator.FromPretrained(converted);
        Assert.That(generator.PipelineClass, Is.EqualTo("WanPipeline"));
        var request = FastWanFixture.Request() with { DmdSteps = null, Steps = 2, GuidanceScale = 1, LatentsOnly = true };
        var all = generator.Generate(request with { VsaSparsity = 0 }).Latents;
        var sparse = generator.Generate(request with { VsaSparsity = 0.75 }).Latents;
        Assert.That(all.Data.All(float.IsFinite) && sparse.Data.All(float.IsFinite), Is.True);
        Assert.That(Compare.MaxAbs(all.Data, sparse.Data), Is.GreaterThan(1e-4), "the sparsity reaches the transformer");
    }

    /// <summary>Rewrites a component's single safetensors file without the tensors whose names start with <paramref name="prefix"/>.</summary>
    static void StripTensors(string folder, string prefix)
    {
        string path = Directory.GetFiles(folder, "*.safetensors").Single();
        var kept = new List<(string, DType, long[], ReadOnlyMemory<byte>)>();
        using (var f = SafetensorsFile.Open(path))
            foreach (var (name, info) in f.Tensors)
                if (!name.StartsWith(prefix, StringComparison.Ordinal)) kept.Add((name, info.DType, info.Shape, f.ReadBytes(info)));
        SafetensorsFile.Write(path, kept);
    }
}
