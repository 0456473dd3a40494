using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>Which VAE graphs the runtime opens: the fused-kernel ones need a GPU provider and the kernel library.</summary>
public class VaeRunnerGraphTests
{
    [Test]
    public void CpuUsesThePortableGraphsWithoutNotice()
    {
        var notices = new List<string>();
        using var device = ExecutionDevice.Create(new RuntimeOptions { Device = ExecutionProvider.Cpu });
        Assert.That(device.KernelLibraryPath, Is.Null);
        using (var decoderOnly = VaeRunner.Open(ConvertedModels.TextToVideo, device, withEncoder: false, notices.Add))
        {
            Assert.That(decoderOnly.UsesFusedKernels, Is.False);
            Assert.That(decoderOnly.GraphFiles, Is.EqualTo(new[] { WanVaeChunking.DecoderFirstGraph, WanVaeChunking.DecoderGraph }));
        }
        using (var both = VaeRunner.Open(ConvertedModels.TextToVideo, device, withEncoder: true, notices.Add))
            Assert.That(both.GraphFiles, Is.EqualTo(WanVaeChunking.Graphs));
        Assert.That(notices, Is.Empty);
    }

    [Test]
    public void FusedGraphNamesFollowThePortableOnes()
    {
        Assert.That(WanVaeChunking.Graphs.Select(WanVaeChunking.FusedGraph), Is.EqualTo(new[]
        {
            "decoder_first.fused.onnx", "decoder.fused.onnx", "encoder_first.fused.onnx", "encoder.fused.onnx",
        }));
        Assert.Throws<ArgumentException>(() => WanVaeChunking.FusedGraph(WanVaeChunking.DecoderFusedGraph));
    }
}
