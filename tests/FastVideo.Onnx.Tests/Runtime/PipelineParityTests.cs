using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Tensors;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>Whole pipelines (fp32, CPU execution provider) against Diffusers' WanPipeline and WanImageToVideoPipeline.</summary>
public class PipelineParityTests
{
    [Test]
    public void TextToVideoMatchesDiffusers()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo);
        var steps = new Dictionary<int, HostTensor>();
        var result = generator.Generate(FixtureSettings.Request(), stepEnd: (i, latents) => steps[i] = latents);
        for (int i = 0; i < FixtureSettings.Steps; i++)
            Compare.Close(steps[i].Data, steps[i].Shape, Reference.Get($"pipeline_step{i}_latents"), 1e-3, $"t2v latents after step {i}");
        Compare.Close(result.Latents.Data, result.Latents.Shape, Reference.Get("pipeline_final_latents"), 1e-3, "t2v final latents");
        Assert.That(result.Video, Is.Not.Null);
        Compare.Close(result.Video!.Tensor.Data, result.Video.Tensor.Shape, Reference.Get("pipeline_video"), 2e-3, "t2v video");
        Assert.That(result.Timings.Select(t => t.Stage), Is.EqualTo(new[]
        {
            "input validation", "text encoding", "timestep preparation", "latent preparation", "denoising", "decoding",
        }));
    }

    [Test]
    public void ShapeSpecialisedSessionsGiveTheSameResult()
    {
        // Sessions specialised to the request's shapes (the GPU default), including a switch to a second shape.
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo, new GeneratorOptions
        {
            Runtime = new FastVideo.Onnx.Runtime.Execution.RuntimeOptions { SpecializeShapes = true },
        });
        var other = generator.Generate(FixtureSettings.Request() with { Latents = null, Seed = 1, Height = 32, Width = 48, Steps = 1 });
        Assert.That(other.Latents.Shape, Is.EqualTo(new long[] { 1, 16, 3, 4, 6 }));
        var result = generator.Generate(FixtureSettings.Request());
        Compare.Close(result.Latents.Data, result.Latents.Shape, Reference.Get("pipeline_final_latents"), 1e-3, "t2v final latents (specialised sessions)");
        Compare.Close(result.Video!.Tensor.Data, result.Video.Tensor.Shape, Reference.Get("pipeline_video"), 2e-3, "t2v video (specialised VAE sessions)");
    }

    [Test]
    public void CudaGraphBuffersKeepResultsAcrossRequests()
    {
        // The CUDA-graph path (inputs copied through runner-owned buffers, a new session when a context length changes)
        // exercised on the CPU provider, where the buffers are host arrays.
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo, new GeneratorOptions
        {
            Runtime = new FastVideo.Onnx.Runtime.Execution.RuntimeOptions { CudaGraph = true, SpecializeShapes = true },
        });
        var shorter = generator.Generate(FixtureSettings.Request() with { MaxSequenceLength = 16, Steps = 1, LatentsOnly = true });
        Assert.That(shorter.Latents.Data.All(float.IsFinite), Is.True);
        var result = generator.Generate(FixtureSettings.Request() with { LatentsOnly = true });
        Compare.Close(result.Latents.Data, result.Latents.Shape, Reference.Get("pipeline_final_latents"), 1e-3, "t2v final latents (graph buffers)");
    }

    [Test]
    public void ImageToVideoWithShapeSpecialisedSessions()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.ImageToVideo, new GeneratorOptions
        {
            Runtime = new FastVideo.Onnx.Runtime.Execution.RuntimeOptions { SpecializeShapes = true },
        });
        var result = generator.Generate(FixtureSettings.Request(Repo.I2VImage) with { LatentsOnly = true });
        Compare.Close(result.Latents.Data, result.Latents.Shape, Reference.Get("i2v_final_latents"), 1e-3, "i2v final latents (specialised sessions)");
    }

    [Test]
    public void SeedGivesDiffusersInitialNoise()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo);
        var seeded = FixtureSettings.Request() with { Latents = null, Seed = FixtureSettings.Seed, Steps = 1, LatentsOnly = true };
        var fromLatents = FixtureSettings.Request() with { Steps = 1, LatentsOnly = true };
        var a = generator.Generate(seeded).Latents;
        var b = generator.Generate(fromLatents).Latents;
        Assert.That(a.Data, Is.EqualTo(b.Data), "seed 42 must give the fixture's torch.randn latents");
    }

    [Test]
    public void ImageToVideoMatchesDiffusers()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.ImageToVideo);
        var steps = new Dictionary<int, HostTensor>();
        var result = generator.Generate(FixtureSettings.Request(Repo.I2VImage) with { LatentsOnly = true }, stepEnd: (i, latents) => steps[i] = latents);
        for (int i = 0; i < FixtureSettings.Steps; i++)
            Compare.Close(steps[i].Data, steps[i].Shape, Reference.Get($"i2v_step{i}_latents"), 1e-3, $"i2v latents after step {i}");
        Compare.Close(result.Latents.Data, result.Latents.Shape, Reference.Get("i2v_final_latents"), 1e-3, "i2v final latents");
        Assert.That(result.Video, Is.Null, "latents only");
    }
}
