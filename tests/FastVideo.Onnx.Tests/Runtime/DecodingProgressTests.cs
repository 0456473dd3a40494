using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>Decoding reports its progress chunk by chunk, after the denoising steps.</summary>
public class DecodingProgressTests
{
    [Test]
    public void TheVaeDecodeReportsEachLatentFrameItDecodes()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.TextToVideo);
        var reports = new List<GenerationProgress>();
        var progress = new FastVideo.Onnx.Core.Progress.CallbackProgress<GenerationProgress>(reports.Add);
        var request = FixtureSettings.Request();
        var result = generator.Generate(request, progress);

        var chunks = reports.Where(p => p.Stage == "decoding" && p.Steps > 0).ToList();
        long latentFrames = result.Latents.Shape[2];
        Assert.That(chunks.Select(p => p.Step), Is.EqualTo(Enumerable.Range(1, (int)latentFrames)), "one report per decoded latent frame, in order");
        Assert.That(chunks.Select(p => p.Steps), Is.All.EqualTo(latentFrames));
        int lastStep = reports.FindLastIndex(p => p.Stage == "denoising" && p.Steps > 0);
        Assert.That(reports.FindIndex(p => p.Stage == "decoding" && p.Steps > 0), Is.GreaterThan(lastStep), "decoding follows the denoising steps");
    }
}
