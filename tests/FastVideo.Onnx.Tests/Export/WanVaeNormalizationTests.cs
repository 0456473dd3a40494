using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>latents_mean / latents_std as the Wan pipelines apply them around the VAE (Core's WanVaeNormalization).</summary>
public class WanVaeNormalizationTests
{
    [Test]
    public void DenormalizeReproducesThePipelinesDecoderInput()
    {
        var norm = WanVaeNormalization.Load(VaeFixture.Folder);
        Assert.That(norm.Channels, Is.EqualTo(16));
        var latents = Reference.Get("pipeline_final_latents");
        var data = (float[])latents.Data.Clone();
        norm.Denormalize(data, latents.Shape);
        // Same float32 operations in the same order as Diffusers: expected bit for bit.
        Compare.Close(data, latents.Shape, Reference.Get("vae_decode_in"), 0, "denormalised latents vs vae_decode_in");
    }

    [Test]
    public void NormalizeInvertsDenormalize()
    {
        var norm = WanVaeNormalization.Load(VaeFixture.Folder);
        var latents = Reference.Get("vae_encode_mean");
        var data = (float[])latents.Data.Clone();
        norm.Normalize(data, latents.Shape);
        Assert.That(Compare.MaxAbs(data, latents.Data), Is.GreaterThan(0.1), "normalisation changes the values");
        norm.Denormalize(data, latents.Shape);
        Compare.Close(data, latents.Shape, latents, 1e-5, "denormalize(normalize(x)) vs x");
    }

    [Test]
    public void NormalizeFollowsTheImageToVideoPipelineFormula()
    {
        var norm = WanVaeNormalization.Load(VaeFixture.Folder);
        long[] shape = { 1, 16, 1, 1, 2 };
        var data = Enumerable.Range(0, 32).Select(i => i * 0.25f - 3f).ToArray();
        var expected = data.Select((x, i) => (x - norm.Mean[i / 2]) * (1f / (float)StdOf(i / 2))).ToArray();
        norm.Normalize(data, shape);
        Assert.That(data, Is.EqualTo(expected));
    }

    static double StdOf(int channel) => new[]
    {
        2.8184, 1.4541, 2.3275, 2.6558, 1.2196, 1.7708, 2.6052, 2.0743, 3.2687, 2.1526, 2.8652, 1.5579, 1.6382, 1.1253, 2.8251, 1.916,
    }[channel];

    [Test]
    public void WrongChannelCountIsRefused()
    {
        var norm = WanVaeNormalization.Load(VaeFixture.Folder);
        Assert.Throws<ArgumentException>(() => norm.Denormalize(new float[36], new long[] { 1, 36, 1, 1, 1 }));
    }
}
