using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary><c>fastvideo-onnx convert --verify</c> on the LTX-Video fixture: every component exported and each graph checked against its definition.</summary>
public class LtxConvertTests
{
    [Test]
    public void ConvertVerifiesEveryLtxGraph()
    {
        using var dir = Repo.Temp();
        var r = Support.Cli.Run("convert", LtxFixture.Model, "--output", dir["out"], "--verify");
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        foreach (var graph in new[] { "text_encoder (model.onnx, fp32)", "transformer (model.onnx, fp32)", "vae (decoder.onnx, fp32)", "vae (encoder.onnx, fp32)" })
            Assert.That(r.Out, Does.Contain(graph + ": max abs error"), r.Out);
        Assert.That(r.Out.Split('\n').Count(l => l.Contains("within tolerance")), Is.EqualTo(4), r.Out);
        TestContext.Out.WriteLine(r.Out);
    }
}
