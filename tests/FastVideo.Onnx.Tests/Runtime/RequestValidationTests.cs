using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>
/// <see cref="VideoGenerator.Validate(string, GenerationRequest, GeneratorOptions?)"/> checks a request against the model's
/// configs before it loads, with errors naming the request's properties; the loaded generator's Validate agrees.
/// </summary>
public class RequestValidationTests
{
    static GenerationRequest Request => new() { Prompt = "a fox", Height = 64, Width = 64, NumFrames = 9, Seed = 1 };

    [Test]
    public void ErrorsNameTheRequestProperty()
    {
        var e = Assert.Throws<InvalidRequestException>(() => VideoGenerator.Validate(ConvertedModels.TextToVideo, Request with { Height = 72 }))!;
        Assert.That(e.Field, Is.EqualTo(nameof(GenerationRequest.Height)));
        Assert.That(e.Message, Does.StartWith("Height: 72 must be a positive multiple of 16"), "16: the VAE's 8x compression times the patch of 2");
        e = Assert.Throws<InvalidRequestException>(() => VideoGenerator.Validate(ConvertedModels.TextToVideo, Request with { Prompt = " " }))!;
        Assert.That(e.Field, Is.EqualTo(nameof(GenerationRequest.Prompt)));
    }

    [Test]
    public void TheModelsConfigsSayWhetherItTakesAnImage()
    {
        var e = Assert.Throws<InvalidRequestException>(() => VideoGenerator.Validate(ConvertedModels.ImageToVideo, Request))!;
        Assert.That(e.Field, Is.EqualTo(nameof(GenerationRequest.Image)));
        Assert.That(VideoGenerator.Validate(ConvertedModels.ImageToVideo, Request with { Image = Repo.I2VImage }), Is.Empty);
        e = Assert.Throws<InvalidRequestException>(() => VideoGenerator.Validate(ConvertedModels.TextToVideo, Request with { Image = Repo.I2VImage }))!;
        Assert.That(e.Message, Does.Contain("text-to-video"));
    }

    [Test]
    public void FrameCountsAreRoundedByTheVaesCompression()
    {
        var notices = VideoGenerator.Validate(ConvertedModels.TextToVideo, Request with { NumFrames = 10 });
        Assert.That(notices, Has.One.EqualTo("NumFrames 10: the VAE makes 4k+1 frames; using 9 (as Diffusers does)"));
        var rules = VideoGenerator.RulesOf(ConvertedModels.TextToVideo);
        Assert.That((rules.Latents.TemporalCompression, rules.Latents.SpatialCompression, rules.SizeMultiple), Is.EqualTo((4, 8, 16)));
    }

    [Test]
    public void TheLoadedGeneratorValidatesAlike()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo);
        Assert.That(generator.Validate(Request with { NumFrames = 10 }), Is.EqualTo(VideoGenerator.Validate(ConvertedModels.TextToVideo, Request with { NumFrames = 10 })));
        var e = Assert.Throws<InvalidRequestException>(() => generator.Validate(Request with { Width = 0 }))!;
        Assert.That(e.Field, Is.EqualTo(nameof(GenerationRequest.Width)));
    }
}
