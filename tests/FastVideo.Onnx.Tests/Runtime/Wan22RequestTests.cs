using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Configuration;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>
/// Requests and folders Wan2.2 cannot honour are refused with one line naming the option or file: a second guidance
/// scale on a one-expert model, another family's options, an image for a text-to-video folder, sizes the 16x VAE and 2x2 patch cannot divide, a
/// transformer_2 whose inputs differ from transformer's. And the presets tell Wan2.2 from Wan2.1 by model_index.json.
/// </summary>
public class Wan22RequestTests
{
    static InvalidRequestException Refused(string folder, Func<Onnx.Runtime.Pipelines.GenerationRequest, Onnx.Runtime.Pipelines.GenerationRequest> edit)
    {
        using var generator = VideoGenerator.FromPretrained(folder);
        var request = edit(Wan22Fixture.Request("ti2v_latents_init", 1, 5.0) with { LatentsOnly = true });
        var e = Assert.Throws<InvalidRequestException>(() => generator.Generate(request))!;
        TestContext.Out.WriteLine(e.Message);
        Assert.That(e.Message, Does.Not.Contain("\n"));
        return e;
    }

    [Test]
    public void SecondGuidanceScaleOnAOneExpertModelIsRefused()
    {
        var e = Refused(Wan22Fixture.Ti2vConverted, r => r with { GuidanceScale2 = 3.0 });
        Assert.That(e.Field, Is.EqualTo(nameof(Onnx.Runtime.Pipelines.GenerationRequest.GuidanceScale2)));
        Assert.That(e.Message, Does.Contain("one denoiser"));
    }

    /// <summary>Options a Wan2.1 model does not take, refused by the CLI naming the option, with nothing written.</summary>
    [TestCase("--guidance-scale-2", "3", "this model has one denoiser")]
    [TestCase("--frame-rate", "24", "this model's pipeline does not read it")]
    public void AnOptionAWan21ModelDoesNotTakeIsRefusedByTheCli(string option, string value, string problem)
    {
        using var dir = Repo.Temp();
        var r = Support.Cli.Run("generate", "--model", ConvertedModels.TextToVideo, "--prompt", "a cat", "--device", "cpu", "--steps", "1",
            option, value, "--output", dir["video.safetensors"]);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Assert.That(r.Err.Trim().Split('\n')[^1], Does.StartWith($"error: {option}: {problem}"));
        Assert.That(File.Exists(dir["video.safetensors"]), Is.False);
    }

    /// <summary>LTX-Video's options on a Wan model are refused by name, not ignored; the CLI names the option.</summary>
    [TestCase(nameof(Onnx.Runtime.Pipelines.GenerationRequest.FrameRate))]
    [TestCase(nameof(Onnx.Runtime.Pipelines.GenerationRequest.DecodeTimestep))]
    [TestCase(nameof(Onnx.Runtime.Pipelines.GenerationRequest.DecodeNoiseScale))]
    [TestCase(nameof(Onnx.Runtime.Pipelines.GenerationRequest.GuidanceRescale))]
    public void AnotherFamilysOptionIsRefused(string option)
    {
        var e = Refused(Wan22Fixture.Ti2vConverted, r => option switch
        {
            nameof(r.FrameRate) => r with { FrameRate = 24 },
            nameof(r.DecodeTimestep) => r with { DecodeTimestep = 0.05 },
            nameof(r.DecodeNoiseScale) => r with { DecodeNoiseScale = 0.025 },
            _ => r with { GuidanceRescale = 0.7 },
        });
        Assert.That(e.Field, Is.EqualTo(option));
        Assert.That(e.Message, Does.Contain("does not read it"));
    }

    [Test]
    public void ImageForATextToVideoFolderIsRefused()
    {
        var e = Refused(Wan22Fixture.Ti2vConverted, r => r with { Image = Wan22Fixture.Image });
        Assert.That(e.Field, Is.EqualTo(nameof(Onnx.Runtime.Pipelines.GenerationRequest.Image)));
        Assert.That(e.Message, Does.Contain("text-to-video model"));
    }

    [TestCase(112, 128, "Height")]
    [TestCase(128, 144, "Width")]
    public void SizesThatAreNotMultiplesOf32AreRefusedForThe16xVae(int height, int width, string property)
    {
        var e = Refused(Wan22Fixture.Ti2vConverted, r => r with { Height = height, Width = width, Latents = null, Seed = 1 });
        Assert.That(e.Field, Is.EqualTo(property));
        Assert.That(e.Message, Does.Contain("must be a positive multiple of 32").And.Contain("compresses 16x").And.Contain("patches 2x2"));
    }

    [Test]
    public void SecondExpertWithOtherInputsIsRefusedAtConversion()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Wan22Fixture.A14bT2v, dir);
        string config = Path.Combine(model, "transformer_2", "config.json");
        ModelCopy.EditText(config, "\"text_dim\": 64", "\"text_dim\": 32");
        var r = Support.Cli.Run("convert", model, "--output", dir["out"]);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Assert.That(r.Err.Trim(), Is.EqualTo($"error: {config}: field 'text_dim' is 32 but {Path.Combine(model, "transformer", "config.json")} has 64: " +
                                              "both experts take the same inputs (in_channels, out_channels, patch_size, text_dim, image_dim must agree)"));
        Assert.That(Directory.Exists(dir["out"]), Is.False);
    }

    [Test]
    public void PresetsTellWan22FromWan21ByModelIndex()
    {
        string configs = Path.Combine(Repo.Root, "models", "configs");
        JsonConfig Load(string model, string file) => JsonConfig.Load(Path.Combine(configs, model, file));

        var a14b = PresetCatalog.Default.Find("WanPipeline", Load("wan2.2-t2v-a14b", "transformer/config.json"), Load("wan2.2-t2v-a14b", ModelIndex.FileName))!;
        Assert.That(a14b.Name, Is.EqualTo("Wan2.2-T2V-A14B"));
        var s = a14b.Sampling;
        Assert.That((s.Height, s.Width, s.NumFrames, s.Fps, s.Steps, s.GuidanceScale, s.GuidanceScale2, s.FlowShift),
            Is.EqualTo((720, 1280, 81, 16, 40, 4.0, (double?)3.0, (double?)12.0)));
        // The same expert shape without transformer_2 is Wan2.1-T2V-14B.
        Assert.That(PresetCatalog.Default.Find("WanPipeline", Load("wan2.2-t2v-a14b", "transformer/config.json"))!.Name, Is.EqualTo("Wan2.1-T2V-14B"));

        var ti2v = PresetCatalog.Default.Find("WanPipeline", Load("wan2.2-ti2v-5b", "transformer/config.json"), Load("wan2.2-ti2v-5b", ModelIndex.FileName))!;
        Assert.That(ti2v.Name, Is.EqualTo("Wan2.2-TI2V-5B"));
        Assert.That((ti2v.Sampling.Height, ti2v.Sampling.Width, ti2v.Sampling.NumFrames, ti2v.Sampling.Fps, ti2v.Sampling.Steps, ti2v.Sampling.GuidanceScale, ti2v.Sampling.FlowShift),
            Is.EqualTo((704, 1280, 121, 24, 50, 5.0, (double?)5.0)));

        // The tiny Wan2.2 folders have the tiny Wan2.1 shape, but not its preset (whose sampling defaults are Wan2.1's).
        foreach (var tiny in new[] { Wan22Fixture.Ti2v, Wan22Fixture.A14bT2v })
            Assert.That(PresetCatalog.Default.Find("WanPipeline", JsonConfig.Load(Path.Combine(tiny, "transformer", "config.json")),
                JsonConfig.Load(Path.Combine(tiny, ModelIndex.FileName)))?.Name, Is.Null, tiny);
        Assert.That(PresetCatalog.Default.Find("WanPipeline", JsonConfig.Load(Path.Combine(Repo.TinyT2V, "transformer", "config.json")),
            JsonConfig.Load(Path.Combine(Repo.TinyT2V, ModelIndex.FileName)))?.Name, Is.EqualTo("wan-tiny"));

        var i2v = PresetCatalog.Default.Get("Wan2.2-I2V-A14B");
        Assert.That((i2v.Match!.Pipeline, i2v.Match.InChannels, i2v.Match.TwoExperts), Is.EqualTo(("WanImageToVideoPipeline", (int?)36, (bool?)true)));
        Assert.That((i2v.Sampling.Steps, i2v.Sampling.GuidanceScale, i2v.Sampling.GuidanceScale2, i2v.Sampling.FlowShift), Is.EqualTo((40, 3.5, (double?)3.5, (double?)5.0)));
    }

    /// <summary>The real-size configs build: a per-token TI2V transformer and the 16x VAE's chunk graphs, traced without weights.</summary>
    [Test]
    public void RealSizeConfigsDefineTheWan22Models()
    {
        string folder = Path.Combine(Repo.Root, "models", "configs", "wan2.2-ti2v-5b");
        var index = ModelIndex.Load(folder);
        var source = new Onnx.Export.Conversion.ComponentSource(index.Get("transformer"), Path.Combine(folder, "transformer"), index, FastVideo.Onnx.Core.Tensors.DType.BFloat16);
        var transformer = (Onnx.Export.Wan.WanTransformer3DModel)new Onnx.Export.Wan.WanTransformerExporter().Define(source);
        Assert.That(transformer.PerTokenTimesteps, Is.True);
        Assert.That(transformer.Config.InnerDim, Is.EqualTo(3072));

        var vae = new Onnx.Export.Wan.WanVaeModel(Onnx.Export.Wan.WanVaeConfig.FromJson(JsonConfig.Load(Path.Combine(folder, "vae", "config.json"))));
        Assert.That(vae.Config.Contract, Is.EqualTo(new FastVideo.Onnx.Core.Contracts.Wan.WanVaeContract(48, 3, 3, 4, 16, 2)));
        var decoderCaches = Onnx.Export.Wan.WanVaeGraphs.DecoderCaches(vae);
        var encoderCaches = Onnx.Export.Wan.WanVaeGraphs.EncoderCaches(vae);
        Assert.That(decoderCaches, Is.Not.Empty);
        // the encoder's first cache is taken after patchifying (half the video's size), the decoder's last before unpatchifying
        Assert.That(encoderCaches[0].Level, Is.EqualTo(-1));
        Assert.That(decoderCaches[^1].Level, Is.EqualTo(3));
    }
}
