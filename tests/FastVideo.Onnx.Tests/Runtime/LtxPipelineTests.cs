using FastVideo.Onnx.Core.Contracts.Ltx;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Tensors;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>LTXPipeline (fp32, CPU EP) on the converted ltx-tiny model against Diffusers' run.</summary>
public class LtxPipelineTests
{
    [Test]
    public void LibraryReproducesDiffusers()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.Ltx);
        Assert.That(generator.PipelineClass, Is.EqualTo("LTXPipeline"));
        Assert.That(generator.PresetName, Is.EqualTo("ltx-tiny"));
        var steps = new Dictionary<int, HostTensor>();
        var result = generator.Generate(LtxFixture.Request(), stepEnd: (i, x) => steps[i] = x);
        for (int i = 0; i < 4; i++)
            Compare.Close(steps[i].Data, steps[i].Shape, LtxFixture.Get($"step{i}_latents"), 1e-3, $"library ltx step {i} latents (packed)");
        // the result's latents are unpacked [1, C, f, h, w]; the reference is packed
        var s = result.Latents.Shape;
        Assert.That(s, Is.EqualTo(LtxFixture.Get("latents_init").Shape));
        var packed = LtxLatentPacking.Pack(result.Latents.Data, (int)s[0], (int)s[1], (int)s[2], (int)s[3], (int)s[4]);
        Compare.Close(packed, LtxFixture.Get("final_latents_packed").Shape, LtxFixture.Get("final_latents_packed"), 1e-3, "library ltx final latents");
        Assert.That(result.Video, Is.Not.Null);
        Compare.Close(result.Video!.Tensor.Data, result.Video.Tensor.Shape, LtxFixture.Get("video"), 2e-3, "library ltx video");
    }
}

/// <summary>guidance_rescale (no Diffusers reference in the fixture): it must act on the guided run, and not at all at 0.</summary>
public class LtxGuidanceRescaleTests
{
    [Test]
    public void RescaleChangesTheGuidedRunOnly()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.Ltx);
        var plain = generator.Generate(LtxFixture.Request() with { LatentsOnly = true, GuidanceRescale = 0 });
        var rescaled = generator.Generate(LtxFixture.Request() with { LatentsOnly = true, GuidanceRescale = 0.7 });
        double change = Compare.MaxAbs(plain.Latents.Data, rescaled.Latents.Data);
        TestContext.Out.WriteLine($"guidance_rescale 0.7 moves the final latents by {change:E3}");
        Assert.That(change, Is.GreaterThan(1e-4));
        // without guidance there is nothing to rescale
        var unguided = generator.Generate(LtxFixture.Request() with { LatentsOnly = true, GuidanceScale = 1, GuidanceRescale = 0 });
        var unguidedRescaled = generator.Generate(LtxFixture.Request() with { LatentsOnly = true, GuidanceScale = 1, GuidanceRescale = 0.7 });
        Assert.That(unguidedRescaled.Latents.Data, Is.EqualTo(unguided.Latents.Data));
    }
}

/// <summary>LTXPipeline through <c>fastvideo-onnx generate</c>, and the bad input it refuses.</summary>
public class LtxCliTests
{
    static string[] ReferenceArgs(string latents, string output) => new[]
    {
        "generate", "--model", ConvertedModels.Ltx, "--prompt", LtxFixture.Setting("prompt").GetString()!,
        "--negative-prompt", LtxFixture.Setting("negative_prompt").GetString()!, "--height", "96", "--width", "128", "--num-frames", "17",
        "--steps", "4", "--guidance-scale", "3", "--max-sequence-length", "32", "--frame-rate", "25", "--decode-timestep", "0.05",
        "--decode-noise-scale", "0.025", "--device", "cpu", "--latents", latents,
        "--seed", LtxFixture.Setting("generator_seed_for_decode_noise").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--output", output,
    };

    static string WriteLatents(TempDir dir)
    {
        var init = LtxFixture.Get("latents_init");
        string path = dir["latents_init.safetensors"];
        var bytes = new byte[init.Data.Length * sizeof(float)];
        Buffer.BlockCopy(init.Data, 0, bytes, 0, bytes.Length);
        SafetensorsFile.Write(path, new[] { ("latents", DType.Float32, init.Shape, (ReadOnlyMemory<byte>)bytes) });
        return path;
    }

    [Test]
    public void CliReproducesDiffusers()
    {
        using var dir = Repo.Temp();
        string output = dir["ltx.safetensors"];
        var r = Support.Cli.Run(ReferenceArgs(WriteLatents(dir), output));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        using var file = SafetensorsFile.Open(output);
        var latents = file.Tensors["latents"];
        // --output x.safetensors writes the latents unpacked [1, C, f, h, w]
        Assert.That(latents.Shape, Is.EqualTo(LtxFixture.Get("latents_init").Shape));
        var s = latents.Shape;
        var packed = LtxLatentPacking.Pack(file.ReadSingle(latents), (int)s[0], (int)s[1], (int)s[2], (int)s[3], (int)s[4]);
        Compare.Close(packed, LtxFixture.Get("final_latents_packed").Shape, LtxFixture.Get("final_latents_packed"), 1e-3, "cli ltx final latents");
        var video = file.Tensors["video"];
        Compare.Close(file.ReadSingle(video), video.Shape, LtxFixture.Get("video"), 2e-3, "cli ltx video");
    }

    [TestCase("--height", "100", "error: --height: 100 must be a positive multiple of 32")]
    [TestCase("--width", "120", "error: --width: 120 must be a positive multiple of 32")]
    [TestCase("--decode-noise-scale", "1.5", "error: --decode-noise-scale: 1.5 must be in [0, 1]")]
    [TestCase("--frame-rate", "0", "error: --frame-rate: 0 must be a positive number")]
    [TestCase("--guidance-rescale", "2", "error: --guidance-rescale: 2 must be in [0, 1]")]
    [TestCase("--num-frames", "0", "error: --num-frames: 0 must be at least 1")]
    public void BadOptionsAreRefusedNamingTheOption(string option, string value, string expected)
    {
        using var dir = Repo.Temp();
        string output = dir["x.safetensors"];
        var r = Support.Cli.Run("generate", "--model", ConvertedModels.Ltx, "--prompt", "p", option, value, "--device", "cpu", "--steps", "1",
            "--output", output);
        Assert.That(r.Code, Is.Not.EqualTo(0), r.ToString());
        // sizes are checked before the model loads; the LTX options once it has (the last line either way)
        Assert.That(r.Err.Trim().Split('\n')[^1], Does.StartWith(expected), r.ToString());
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void FramesNotEightKPlusOneAreRoundedWithANotice()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.Ltx);
        var result = generator.Generate(new GenerationRequest { Prompt = "p", NumFrames = 20, Steps = 1, Seed = 1, LatentsOnly = true });
        Assert.That(result.Notices, Has.One.Contains("NumFrames 20").And.Contains("using 17"));
        Assert.That(result.Latents.Shape[2], Is.EqualTo(3));
    }

    [Test]
    public void MissingDecodeTimestepForATimestepConditionedVaeIsRefused()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.Ltx, new GeneratorOptions { Sampling = new SamplingDefaults { Height = 96, Width = 128, NumFrames = 9, Steps = 1 } });
        var e = Assert.Throws<InvalidRequestException>(() => generator.Generate(new GenerationRequest { Prompt = "p", Seed = 1 }))!;
        Assert.That(e.Field, Is.EqualTo(nameof(GenerationRequest.DecodeTimestep)));
        Assert.That(e.Message, Does.Contain("timestep-conditioned"));
    }
}
