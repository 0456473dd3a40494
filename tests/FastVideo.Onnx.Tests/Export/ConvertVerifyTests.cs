using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Export.Torch.Verification;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>convert --verify: each converted graph against the TorchSharp definition on the real weights.</summary>
public class ConvertVerifyTests
{
    [Test]
    public void ReportsEveryGraphWithinTolerance()
    {
        using var dir = Repo.Temp();
        var r = Support.Cli.Run("convert", Repo.TinyI2V, "--output", dir["out"], "--verify");
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        foreach (var graph in new[] { "image_encoder (model.onnx, fp32)", "text_encoder (model.onnx, fp32)", "transformer (model.onnx, fp32)",
                                      "vae (decoder_first.onnx, fp32)", "vae (encoder_first.onnx, fp32)" })
            Assert.That(r.Out, Does.Contain(graph + ": max abs error"), r.Out);
        Assert.That(r.Out.Split('\n').Count(l => l.Contains("within tolerance")), Is.EqualTo(5), r.Out);
    }

    /// <summary>Wan2.2 TI2V: the per-token transformer (timestep [1, S]) and the 16x VAE (RGB in, patches folded inside).</summary>
    [Test]
    public void Wan22GraphsAreVerified()
    {
        using var dir = Repo.Temp();
        var r = Support.Cli.Run("convert", Wan22Fixture.Ti2v, "--output", dir["out"], "--components", "transformer,vae", "--verify");
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        foreach (var graph in new[] { "transformer (model.onnx, fp32)", "vae (decoder_first.onnx, fp32)", "vae (encoder_first.onnx, fp32)" })
            Assert.That(r.Out, Does.Contain(graph + ": max abs error"), r.Out);
        Assert.That(r.Out.Split('\n').Count(l => l.Contains("within tolerance")), Is.EqualTo(3), r.Out);
    }

    [Test]
    public void HalfPrecisionGraphsAreHeldToCosine()
    {
        using var dir = Repo.Temp();
        var r = Support.Cli.Run("convert", Repo.TinyT2V, "--output", dir["out"], "--dtype", "fp16", "--components", "transformer,vae", "--verify");
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var transformer = r.Out.Split('\n').Single(l => l.Contains("transformer (model.onnx, fp16)"));
        Assert.That(transformer, Does.Contain("within tolerance: cosine >= 0.999"));
    }

    [Test]
    public void AGraphThatDisagreesFailsNamingTheComponent()
    {
        using var dir = Repo.Temp();
        var result = new ModelConverter().Convert(new ConversionRequest(Repo.TinyT2V, dir["out"]) { Components = new[] { "transformer" } });
        // damage the converted weights (the eager reference reads the source checkpoint): every value of the data file doubles
        string data = Path.Combine(result.Output, "transformer", "model.onnx.data");
        var bytes = File.ReadAllBytes(data);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, values.Length * 4);
        for (int i = 0; i < values.Length; i++) values[i] *= 2;
        Buffer.BlockCopy(values, 0, bytes, 0, values.Length * 4);
        File.WriteAllBytes(data, bytes);

        var report = new StringWriter();
        var error = Assert.Throws<FastVideoException>(() => ComponentVerifier.Verify(Repo.TinyT2V, result, report));
        Assert.That(error!.Message, Does.StartWith("--verify: transformer (model.onnx) differs from the TorchSharp reference"));
        Assert.That(error.Message, Does.Not.Contain("\n"));
        Assert.That(report.ToString(), Does.Contain("outside tolerance"));
    }

    [Test]
    public void NaNIsNeverWithinTolerance()
    {
        var reference = new[] { 1f, 2f, 3f };
        Assert.That(GraphVerification.Measure("c", "g.onnx", DType.Float32, new[] { 1f, 2f, 3f }, reference).Passed, Is.True);
        Assert.That(GraphVerification.Measure("c", "g.onnx", DType.Float32, new[] { 1f, float.NaN, 3f }, reference).Passed, Is.False);
        Assert.That(GraphVerification.Measure("c", "g.onnx", DType.Float16, new[] { 1f, float.NaN, 3f }, reference).Passed, Is.False);
        Assert.That(GraphVerification.Measure("c", "g.onnx", DType.Float32, new[] { 1f, 2.01f, 3f }, reference).Passed, Is.False, "1e-2 > 1e-4 x 3");
        Assert.That(GraphVerification.Measure("c", "g.onnx", DType.Float16, new[] { 1f, 2.01f, 3f }, reference).Passed, Is.True, "cosine > 0.999");
    }
}
