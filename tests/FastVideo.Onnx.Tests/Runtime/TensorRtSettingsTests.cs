using FastVideo.Onnx.Core.Contracts;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Components.Clip;
using FastVideo.Onnx.Runtime.Components.Wan;
using FastVideo.Onnx.Runtime.Configuration;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Imaging;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>
/// The TensorRT provider's configuration as ONNX Runtime reads it. Checked here without the provider (TensorRT's libraries
/// are not on the CI or GPU machines), so only the option strings are verified, not an engine build.
/// </summary>
public class TensorRtSettingsTests
{
    [Test]
    public void TransformerProfileIsTheRequestShape()
    {
        var profiles = new[]
        {
            TensorRtProfiles.Fixed("hidden_states", 2, 16, 21, 60, 104), TensorRtProfiles.Fixed("timestep", 2),
            TensorRtProfiles.Fixed("encoder_hidden_states", 2, 512, 4096),
        };
        var options = new TensorRtSettings { CacheFolder = "/cache/trt", Fp16 = false, Bf16 = true }.ToProviderOptions(1, profiles);

        Assert.That(options["device_id"], Is.EqualTo("1"));
        Assert.That(options["trt_fp16_enable"], Is.EqualTo("0"));
        Assert.That(options["trt_bf16_enable"], Is.EqualTo("1"));
        Assert.That(options["trt_engine_cache_enable"], Is.EqualTo("1"));
        Assert.That(options["trt_engine_cache_path"], Is.EqualTo("/cache/trt"));
        Assert.That(options["trt_timing_cache_path"], Is.EqualTo("/cache/trt"));
        const string shapes = "hidden_states:2x16x21x60x104,timestep:2,encoder_hidden_states:2x512x4096";
        Assert.That(options["trt_profile_min_shapes"], Is.EqualTo(shapes));
        Assert.That(options["trt_profile_opt_shapes"], Is.EqualTo(shapes));
        Assert.That(options["trt_profile_max_shapes"], Is.EqualTo(shapes));
    }

    [Test]
    public void ImageToVideoAddsTheImageTokens()
    {
        var profiles = new[]
        {
            TensorRtProfiles.Fixed("hidden_states", 2, 36, 21, 60, 104), TensorRtProfiles.Fixed("timestep", 2),
            TensorRtProfiles.Fixed("encoder_hidden_states", 2, 512, 4096), TensorRtProfiles.Fixed("encoder_hidden_states_image", 2, 257, 1280),
        };
        var options = new TensorRtSettings().ToProviderOptions(0, profiles);
        Assert.That(options["trt_profile_opt_shapes"], Does.EndWith(",encoder_hidden_states_image:2x257x1280"));
        Assert.That(options["trt_fp16_enable"], Is.EqualTo("1"), "fp16 by default");
        Assert.That(options.ContainsKey("trt_engine_cache_enable"), Is.False, "no cache folder, no engine cache");
    }

    [Test]
    public void SettingsBindFromConfiguration()
    {
        var settings = GeneratorSettings.Build(null, null, new Dictionary<string, string?>
        {
            ["Runtime:Device"] = "TensorRT",
            ["Runtime:TensorRt:CacheFolder"] = "/engines",
            ["Runtime:TensorRt:Bf16"] = "true",
            ["Runtime:TensorRt:MaxWorkspaceBytes"] = "4294967296",
        }, includeEnvironment: false);
        Assert.That(settings.Runtime.Device, Is.EqualTo(ExecutionProvider.TensorRT));
        Assert.That(settings.Runtime.TensorRt.CacheFolder, Is.EqualTo("/engines"));
        Assert.That(settings.Runtime.TensorRt.Bf16, Is.True);
        Assert.That(settings.Runtime.TensorRt.ToProviderOptions(0, Array.Empty<ShapeProfile>())["trt_max_workspace_size"], Is.EqualTo("4294967296"));
    }

    /// <summary>
    /// An image-to-video transformer's profiles include the image tokens, which the image encoder reports from its
    /// configuration: the count its graph really produces.
    /// </summary>
    [Test]
    public void ImageToVideoProfilesCarryTheImageEncodersTokens()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions { Device = ExecutionProvider.Cpu });
        using var image = ClipImageEncoderRunner.Open(new ComponentRequest(ConvertedModels.ImageToVideo, "image_encoder", device));
        var tokens = image.Encode(image.Preprocess(ImageLoader.Load(Repo.I2VImage)));
        Assert.That(image.Tokens, Is.EqualTo(tokens.Shape[1]));

        var shape = new TransformerShape(2, 3, 4, 6);
        using (var i2v = WanTransformerRunner.Open(new ComponentRequest(ConvertedModels.ImageToVideo, "transformer", device)
               {
                   ImageTokens = image.Tokens, ExpectedTextTokens = 512,
               }))
        {
            var profile = i2v.TensorRtProfilesFor(shape).Single(p => p.Input == "encoder_hidden_states_image");
            Assert.That(profile.Opt, Is.EqualTo(new[] { 2, image.Tokens, (long)i2v.ImageDim!.Value }));
            Assert.That((profile.Min, profile.Max), Is.EqualTo((profile.Opt, profile.Opt)));
            var text = i2v.TensorRtProfilesFor(shape).Single(p => p.Input == "encoder_hidden_states");
            Assert.That(text.Opt, Is.EqualTo(new[] { 2, 512L, i2v.TextDim }), "the text length the pipeline calls with");
        }
        using var t2v = WanTransformerRunner.Open(new ComponentRequest(ConvertedModels.TextToVideo, "transformer", device) { ImageTokens = image.Tokens });
        Assert.That(t2v.TensorRtProfilesFor(shape).Select(p => p.Input), Is.EqualTo(new[] { "hidden_states", "timestep", "encoder_hidden_states" }),
            "a text-to-video transformer takes no image");
    }

    /// <summary>A per-token transformer (Wan2.2 TI2V) gets a [batch, tokens] timestep profile: frames x (h/2) x (w/2) tokens.</summary>
    [Test]
    public void PerTokenTransformerProfilesTheTimestepPerToken()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions { Device = ExecutionProvider.Cpu });
        using var ti2v = WanTransformerRunner.Open(new ComponentRequest(Wan22Fixture.Ti2vConverted, "transformer", device));
        Assert.That(ti2v.TimestepLayout, Is.EqualTo(TimestepLayout.PerToken));
        var profile = ti2v.TensorRtProfilesFor(new TransformerShape(2, 3, 8, 12)).Single(p => p.Input == "timestep");
        Assert.That(profile.Opt, Is.EqualTo(new long[] { 2, 3 * 4 * 6 }));
        using var wan21 = WanTransformerRunner.Open(new ComponentRequest(ConvertedModels.TextToVideo, "transformer", device));
        Assert.That(wan21.TensorRtProfilesFor(new TransformerShape(2, 3, 8, 12)).Single(p => p.Input == "timestep").Opt, Is.EqualTo(new long[] { 2 }));
    }
}
