using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Components.Wan;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Noise;
using FastVideo.Onnx.Runtime.Tensors;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>
/// The Wan VAE's chunk loop copies each chunk's frames out on another thread while the next chunk runs: the chunks are
/// still consumed in order, and a cancellation or a failing consumer ends the decode with that exception, every chunk's
/// copy finished, and the runner usable for the next decode.
/// </summary>
public class VaeChunkLoopTests
{
    static HostTensor Latents(int frames)
    {
        long[] shape = { 1, 16, frames, 4, 6 };
        return new HostTensor(new TorchGenerator(3).Randn(shape), shape);
    }

    static WanVaeRunner Open(ExecutionDevice device) => WanVaeRunner.Open(new ComponentRequest(ConvertedModels.TextToVideo, "vae", device));

    [Test]
    public void ChunksAreReportedInOrderAndTheVideoIsTheSameAsBefore()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions { Device = ExecutionProvider.Cpu });
        using var vae = Open(device);
        var latents = Latents(4);
        var reported = new List<(int Done, int Of)>();
        var first = vae.Decode(latents, chunkDone: (done, of) => reported.Add((done, of)));
        Assert.That(reported, Is.EqualTo(new[] { (1, 4), (2, 4), (3, 4), (4, 4) }));
        Assert.That(first.Shape, Is.EqualTo(new long[] { 1, 3, 13, 32, 48 }));
        Assert.That(first.Data.All(float.IsFinite), Is.True);
        Assert.That(vae.Decode(latents).Data, Is.EqualTo(first.Data), "a second decode gives the same bytes");
    }

    [Test]
    public void ACancelledDecodeThrowsAndTheRunnerStillDecodes()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions { Device = ExecutionProvider.Cpu });
        using var vae = Open(device);
        var latents = Latents(4);
        using var cancel = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => vae.Decode(latents, cancel.Token, (done, _) =>
        {
            if (done == 1) cancel.Cancel();
        }));
        Assert.That(vae.Decode(latents).Shape[2], Is.EqualTo(13));
    }

    [Test]
    public void AFailingConsumerEndsTheDecodeWithItsException()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions { Device = ExecutionProvider.Cpu });
        using var vae = Open(device);
        var latents = Latents(4);
        var seen = new List<int>();
        var e = Assert.Throws<InvalidOperationException>(() => vae.Decode(latents, chunkDone: (done, _) =>
        {
            seen.Add(done);
            if (done == 2) throw new InvalidOperationException("consumer failed at chunk 2");
        }));
        Assert.That(e!.Message, Is.EqualTo("consumer failed at chunk 2"));
        Assert.That(seen, Is.EqualTo(new[] { 1, 2 }), "the chunks after a failed one are not consumed");
        Assert.That(vae.Decode(latents).Shape[2], Is.EqualTo(13));
    }
}
