using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Components.Wan;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>A runner whose constructor throws after its session was created releases that session.</summary>
public class RunnerDisposalTests
{
    [Test]
    public void TransformerWithTheWrongGraphLeavesNoSessionOpen()
    {
        using var dir = Repo.Temp();
        string model = Path.Combine(dir.Path, "model");
        Copy(ConvertedModels.TextToVideo, model);
        // The text encoder's graph where the transformer's should be: it loads, but lacks the transformer's inputs.
        foreach (var file in new[] { "model.onnx", "model.onnx.data" })
            File.Copy(Path.Combine(model, "text_encoder", file), Path.Combine(model, "transformer", file), overwrite: true);

        using var device = ExecutionDevice.Create(new RuntimeOptions { Device = ExecutionProvider.Cpu });
        var e = Assert.Throws<FastVideoException>(() => WanTransformerRunner.Open(new ComponentRequest(model, "transformer", device)))!;
        Assert.That(e.Message, Does.Contain("has no input 'hidden_states'"));
        Assert.That(device.Runs.Count, Is.EqualTo(0), "the session created before the check was disposed");

        using (WanTransformerRunner.Open(new ComponentRequest(ConvertedModels.TextToVideo, "transformer", device)))
            Assert.That(device.Runs.Count, Is.EqualTo(1));
        Assert.That(device.Runs.Count, Is.EqualTo(0));
    }

    static void Copy(string from, string to)
    {
        foreach (var d in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, d)));
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories)) File.Copy(f, Path.Combine(to, Path.GetRelativePath(from, f)));
    }
}
