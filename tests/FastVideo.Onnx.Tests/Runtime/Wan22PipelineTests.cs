using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Tensors;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>
/// Wan2.2 pipelines (fp32, CPU execution provider) converted from the fixture folders, against Diffusers: TI2V-5B
/// text- and image-to-video (per-token timesteps, the 16x VAE, the image in latent frame 0) and A14B text- and
/// image-to-video (two experts switched at the boundary, two guidance scales).
/// </summary>
public class Wan22PipelineTests
{
    static int Steps => Wan22Fixture.Setting("steps").GetInt32();
    static int A14bSteps => Wan22Fixture.Setting("a14b_steps").GetInt32();
    static double Ti2vGuidance => Wan22Fixture.Setting("ti2v_guidance_scale").GetDouble();
    static double Guidance => Wan22Fixture.Setting("guidance_scale").GetDouble();
    static double Guidance2 => Wan22Fixture.Setting("guidance_scale_2").GetDouble();

    [Test]
    public void Ti2vTextToVideoMatchesDiffusers()
    {
        using var generator = VideoGenerator.FromPretrained(Wan22Fixture.Ti2vConverted);
        var result = generator.Generate(Wan22Fixture.Request("ti2v_latents_init", Steps, Ti2vGuidance));
        Compare.Close(result.Latents.Data, result.Latents.Shape, Wan22Fixture.Get("ti2v_t2v_final_latents"), 1e-3, "ti2v t2v final latents");
        Assert.That(result.Video, Is.Not.Null);
        Compare.Close(result.Video!.Tensor.Data, result.Video.Tensor.Shape, Wan22Fixture.Ti2vT2vVideo(), 2e-3 - Wan22Fixture.Ti2vT2vVideoDerivationError, "ti2v t2v video (16x VAE)");
    }

    [Test]
    public void Ti2vImageToVideoMatchesDiffusers()
    {
        string folder = ConvertedAs(Wan22Fixture.Ti2vConverted, "WanImageToVideoPipeline");
        using var generator = VideoGenerator.FromPretrained(folder);
        var result = generator.Generate(Wan22Fixture.Request("ti2v_latents_init", Steps, Ti2vGuidance, image: Wan22Fixture.Image) with { LatentsOnly = true });
        Compare.Close(result.Latents.Data, result.Latents.Shape, Wan22Fixture.Get("ti2v_i2v_final_latents"), 1e-3, "ti2v i2v final latents");
        // The image's latents are in frame 0: not the text-to-video result from the same noise.
        Assert.That(Compare.MaxAbs(result.Latents.Data, Wan22Fixture.Get("ti2v_t2v_final_latents").Data), Is.GreaterThan(0.1));
    }

    [Test]
    public void A14bTextToVideoSwitchesExpertsAtTheBoundary()
    {
        using var generator = VideoGenerator.FromPretrained(Wan22Fixture.A14bT2vConverted);
        var steps = new Dictionary<int, HostTensor>();
        var result = generator.Generate(Wan22Fixture.Request("a14b_latents_init", A14bSteps, Guidance, Guidance2) with { LatentsOnly = true },
            stepEnd: (i, latents) => steps[i] = latents);
        for (int i = 0; i < A14bSteps; i++)
            Compare.Close(steps[i].Data, steps[i].Shape, Wan22Fixture.Get($"a14b_t2v_step{i}_latents"), 1e-3, $"a14b t2v latents after step {i}");
        Compare.Close(result.Latents.Data, result.Latents.Shape, Wan22Fixture.Get("a14b_t2v_final_latents"), 1e-3, "a14b t2v final latents");
    }

    /// <summary>
    /// One expert resident at a time (the GPU policy when memory is short): the first expert's session is released at
    /// the boundary and the second's opened, and again at the next request; the result is the same.
    /// </summary>
    [Test]
    public void OneExpertAtATimeGivesTheSameResult()
    {
        using var generator = VideoGenerator.FromPretrained(Wan22Fixture.A14bT2vConverted, new GeneratorOptions
        {
            Runtime = new FastVideo.Onnx.Runtime.Execution.RuntimeOptions { KeepBothExperts = false },
        });
        var request = Wan22Fixture.Request("a14b_latents_init", A14bSteps, Guidance, Guidance2) with { LatentsOnly = true };
        for (int run = 0; run < 2; run++)
        {
            var result = generator.Generate(request);
            Compare.Close(result.Latents.Data, result.Latents.Shape, Wan22Fixture.Get("a14b_t2v_final_latents"), 1e-3, $"a14b t2v, one expert resident, run {run}");
        }
    }

    /// <summary>Without --guidance-scale-2 the second expert uses the first scale (Diffusers' default): a different result than 2.5.</summary>
    [Test]
    public void SecondGuidanceScaleDefaultsToTheFirst()
    {
        using var generator = VideoGenerator.FromPretrained(Wan22Fixture.A14bT2vConverted);
        var request = Wan22Fixture.Request("a14b_latents_init", A14bSteps, Guidance) with { LatentsOnly = true };
        var unset = generator.Generate(request).Latents;
        var same = generator.Generate(request with { GuidanceScale2 = Guidance }).Latents;
        Assert.That(unset.Data, Is.EqualTo(same.Data));
        Assert.That(Compare.MaxAbs(unset.Data, Wan22Fixture.Get("a14b_t2v_final_latents").Data), Is.GreaterThan(1e-3), "2.5 on the low-noise steps changes the result");
    }

    [Test]
    public void A14bImageToVideoMatchesDiffusers()
    {
        using var generator = VideoGenerator.FromPretrained(Wan22Fixture.A14bI2vConverted);
        var result = generator.Generate(Wan22Fixture.Request("a14b_latents_init", A14bSteps, Guidance, Guidance2, Wan22Fixture.Image) with { LatentsOnly = true });
        Compare.Close(result.Latents.Data, result.Latents.Shape, Wan22Fixture.Get("a14b_i2v_final_latents"), 1e-3, "a14b i2v final latents");
    }

    /// <summary>
    /// The reference image-to-video run used the TI2V folder's components under WanImageToVideoPipeline: a copy of the
    /// converted folder with that class (the components are the same files).
    /// </summary>
    static string ConvertedAs(string converted, string pipelineClass)
    {
        string target = converted + "-" + pipelineClass;
        if (Directory.Exists(target)) return target;
        string staging = target + ".partial";
        if (Directory.Exists(staging)) Directory.Delete(staging, true);
        foreach (var file in Directory.EnumerateFiles(converted, "*", SearchOption.AllDirectories))
        {
            string destination = Path.Combine(staging, Path.GetRelativePath(converted, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
        foreach (var name in new[] { "model_index.json", "fastvideo_onnx.json" })
        {
            string path = Path.Combine(staging, name);
            File.WriteAllText(path, File.ReadAllText(path).Replace("\"WanPipeline\"", $"\"{pipelineClass}\""));
        }
        Directory.Move(staging, target);
        return target;
    }
}
