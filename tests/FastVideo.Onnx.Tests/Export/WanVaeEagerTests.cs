using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Wan;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;
using TorchSharp;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>The Wan VAE definition run eagerly in TorchSharp (fp32, CPU), chunk by chunk as Diffusers does, against Diffusers' outputs.</summary>
public class WanVaeEagerTests
{
    [Test]
    public void ChunkedDecodeMatchesDiffusers()
    {
        var (model, archive) = VaeFixture.Load();
        using var _ = archive;
        var (data, shape) = TorchReference.Run(archive, DType.Float32, ops => VaeEager.Decode(model, ops, TorchReference.FromRef(Reference.Get("vae_decode_in"))));
        Compare.Close(data, shape, Reference.Get("vae_decode_out"), 1e-4, "eager vae decode (fp32)");
    }

    [Test]
    public void ChunkedEncodeMatchesDiffusers()
    {
        var (model, archive) = VaeFixture.Load();
        using var _ = archive;
        var (data, shape) = TorchReference.Run(archive, DType.Float32, ops => VaeEager.Encode(model, ops, TorchReference.FromRef(Reference.Get("vae_encode_in"))));
        Compare.Close(data, shape, Reference.Get("vae_encode_mean"), 1e-4, "eager vae encode mean (fp32)");
    }

    /// <summary>
    /// The cache layout the graphs expose (traced symbolically) is what the eager forward really passes between chunks:
    /// same count and shapes, on a non-square size and batch 2, for the first chunk's caches and the later ones'.
    /// </summary>
    [Test]
    public void CacheLayoutMatchesTheTensorsPassedBetweenChunks()
    {
        var (model, archive) = VaeFixture.Load();
        using var _ = archive;
        using var scope = torch.NewDisposeScope();
        var ops = TorchReference.Ops(archive, DType.Float32, out var weights);
        using (weights)
        {
            void Check(IReadOnlyList<WanVaeCacheSlot> layout, VaeEager.Trace trace, long height, long width, string what)
            {
                Assert.That(trace.Caches, Has.Count.GreaterThanOrEqualTo(2));
                for (int chunk = 0; chunk < trace.Caches.Count; chunk++)
                {
                    Assert.That(trace.Slots[chunk], Is.EqualTo(layout), $"{what} chunk {chunk}: slots");
                    for (int i = 0; i < layout.Count; i++)
                        Assert.That(trace.Caches[chunk][i].shape, Is.EqualTo(layout[i].Shape(2, height, width)), $"{what} chunk {chunk}: {layout[i]}");
                }
            }

            var decoderTrace = new VaeEager.Trace(new(), new());
            var video = VaeEager.Decode(model, ops, torch.tensor(Patterns.Wave(new long[] { 2, 16, 3, 4, 6 }, 2f), new long[] { 2, 16, 3, 4, 6 }), decoderTrace);
            Assert.That(video.shape, Is.EqualTo(new long[] { 2, 3, 9, 32, 48 }));
            var decoderLayout = WanVaeGraphs.DecoderCaches(model);
            Check(decoderLayout, decoderTrace, 4, 6, "decoder");

            var encoderTrace = new VaeEager.Trace(new(), new());
            var mean = VaeEager.Encode(model, ops, torch.tensor(Patterns.Wave(new long[] { 2, 3, 9, 32, 48 }, 1f), new long[] { 2, 3, 9, 32, 48 }), encoderTrace);
            Assert.That(mean.shape, Is.EqualTo(new long[] { 2, 16, 3, 4, 6 }));
            var encoderLayout = WanVaeGraphs.EncoderCaches(model);
            Check(encoderLayout, encoderTrace, 32, 48, "encoder");

            TestContext.Out.WriteLine($"decoder caches ({decoderLayout.Count}):\n  " + string.Join("\n  ", decoderLayout));
            TestContext.Out.WriteLine($"encoder caches ({encoderLayout.Count}):\n  " + string.Join("\n  ", encoderLayout));
        }
    }
}
