using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Wan;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;
using TorchSharp;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// The Wan2.2 VAE (residual blocks with averaging / duplicating shortcuts, patch 2, z 48, 16x spatial compression):
/// the eager definition chunk by chunk, and the converted chunk graphs on ONNX Runtime's CPU EP, against Diffusers.
/// </summary>
public class Wan22VaeTests
{
    TempDir _dir = null!;
    string _fp32 = null!;
    ComponentManifest _manifest = null!;

    [OneTimeSetUp]
    public void ConvertOnce()
    {
        _dir = Repo.Temp();
        _fp32 = _dir["vae22"];
        _manifest = Wan22Fixture.Convert(Wan22Fixture.Ti2v, "vae", new WanVaeExporter(), DType.Float32, _fp32);
    }

    [OneTimeTearDown]
    public void Cleanup() => _dir.Dispose();

    [Test]
    public void GeometryComesFromTheConfig()
    {
        // in_channels 12 in the config: 3 RGB channels folded 2x2 by the patch inside the graphs.
        var geometry = WanVaeContract.Load(Wan22Fixture.Vae22);
        Assert.That(geometry, Is.EqualTo(new WanVaeContract(ZDim: 48, InChannels: 3, OutChannels: 3, TemporalCompression: 4, SpatialCompression: 16, PatchSize: 2)));
        var wan21 = WanVaeContract.Load(VaeFixture.Folder);
        Assert.That((wan21.InChannels, wan21.OutChannels, wan21.TemporalCompression, wan21.SpatialCompression, wan21.PatchSize), Is.EqualTo((3, 3, 4, 8, 1)));
        // The converted folder carries the same config, so the runtime reads the same factors.
        Assert.That(WanVaeContract.Load(_fp32), Is.EqualTo(geometry));
    }

    [Test]
    public void EagerDecodeMatchesDiffusers()
    {
        var (model, archive) = Wan22Fixture.LoadVae22();
        using var _ = archive;
        var (data, shape) = TorchReference.Run(archive, DType.Float32, ops => VaeEager.Decode(model, ops, TorchReference.FromRef(Wan22Fixture.Get("vae22_decode_in"))));
        Compare.Close(data, shape, Wan22Fixture.Get("vae22_decode_out"), 1e-4, "eager wan2.2 vae decode (fp32)");
    }

    [Test]
    public void EagerEncodeMatchesDiffusers()
    {
        var (model, archive) = Wan22Fixture.LoadVae22();
        using var _ = archive;
        var (data, shape) = TorchReference.Run(archive, DType.Float32,
            ops => VaeEager.Encode(model, ops, torch.clamp(TorchReference.FromRef(Wan22Fixture.Get("vae22_decode_out")), -1, 1)));
        Compare.Close(data, shape, Wan22Fixture.Get("vae22_encode_mean"), 1e-4, "eager wan2.2 vae encode mean (fp32)");
    }

    [Test]
    public void Float32DecoderGraphsMatchDiffusers()
    {
        using var decoder = VaeChunkRunner.Decoder(_fp32);
        var input = Wan22Fixture.Get("vae22_decode_in");
        var (video, shape) = decoder.Run(input.Data, input.Shape);
        Compare.Close(video, shape, Wan22Fixture.Get("vae22_decode_out"), 1e-4, "onnx wan2.2 vae decode, 3 chunks (fp32, CPU EP)");
    }

    [Test]
    public void Float32EncoderGraphsMatchDiffusers()
    {
        using var encoder = VaeChunkRunner.Encoder(_fp32);
        var input = Wan22Fixture.Get("vae22_decode_out");
        var clamped = input.Data.Select(v => Math.Clamp(v, -1f, 1f)).ToArray();
        var (mean, shape) = encoder.Run(clamped, input.Shape);
        Compare.Close(mean, shape, Wan22Fixture.Get("vae22_encode_mean"), 1e-4, "onnx wan2.2 vae encode mean, 3 chunks (fp32, CPU EP)");
    }

    [Test]
    public void Float16GraphsAgreeWithDiffusers()
    {
        string folder = _dir["vae22-fp16"];
        var manifest = Wan22Fixture.Convert(Wan22Fixture.Ti2v, "vae", new WanVaeExporter(), DType.Float16, folder);
        Assert.That(manifest.Precision, Is.EqualTo("fp16"));
        var decodeIn = Wan22Fixture.Get("vae22_decode_in");
        var decoded = Wan22Fixture.Get("vae22_decode_out");
        using (var decoder = VaeChunkRunner.Decoder(folder))
            Compare.Similar(decoder.Run(decodeIn.Data, decodeIn.Shape).Data, decoded, 0.999, "onnx wan2.2 vae decode (fp16, CPU EP)");
        using (var encoder = VaeChunkRunner.Encoder(folder))
            Compare.Similar(encoder.Run(decoded.Data.Select(v => Math.Clamp(v, -1f, 1f)).ToArray(), decoded.Shape).Data,
                Wan22Fixture.Get("vae22_encode_mean"), 0.999, "onnx wan2.2 vae encode mean (fp16, CPU EP)");
    }

    /// <summary>Signatures: RGB video in and out (the patch is folded inside), 16x spatial dims, 48 latent channels.</summary>
    [Test]
    public void ManifestDeclaresThe16xGeometry()
    {
        var decoder = _manifest.Graph(WanVaeChunking.DecoderGraph, _fp32);
        var video = decoder.Outputs.First(o => o.Name == WanVaeChunking.VideoName);
        Assert.That(video.Shape.Select(d => d.ToString()), Is.EqualTo(new[] { "batch", "3", "4", "latent_height*16", "latent_width*16" }));
        Assert.That(decoder.Inputs[0].Shape.Select(d => d.ToString()), Is.EqualTo(new[] { "batch", "48", "1", "latent_height", "latent_width" }));
        var encoder = _manifest.Graph(WanVaeChunking.EncoderGraph, _fp32);
        Assert.That(encoder.Inputs[0].Shape.Select(d => d.ToString()), Is.EqualTo(new[] { "batch", "3", "4", "video_height", "video_width" }));
        var mean = encoder.Outputs.First(o => o.Name == WanVaeChunking.LatentMeanName);
        Assert.That(mean.Shape.Select(d => d.ToString()), Is.EqualTo(new[] { "batch", "48", "1", "video_height/16", "video_width/16" }));
    }

    /// <summary>Another batch, a non-square size and more frames than the fixture's, graphs against the eager definition.</summary>
    [Test]
    public void SameGraphsHandleOtherSizesAndFrameCounts()
    {
        long[] latentShape = { 2, 48, 2, 2, 3 };
        long[] videoShape = { 1, 3, 9, 32, 64 };
        var latents = Patterns.Wave(latentShape, 1f);
        var video = Patterns.Wave(videoShape, 1f, 0.05f);
        (float[], long[]) onnxVideo, onnxMean;
        using (var decoder = VaeChunkRunner.Decoder(_fp32)) onnxVideo = decoder.Run(latents, latentShape);
        using (var encoder = VaeChunkRunner.Encoder(_fp32)) onnxMean = encoder.Run(video, videoShape);

        var (model, archive) = Wan22Fixture.LoadVae22();
        using var _ = archive;
        using var scope = torch.NewDisposeScope();
        var ops = TorchReference.Ops(archive, DType.Float32, out var weights);
        using (weights)
        {
            var (eagerVideo, eagerVideoShape) = TorchReference.ToHost(VaeEager.Decode(model, ops, torch.tensor(latents, latentShape)));
            Assert.That(eagerVideoShape, Is.EqualTo(new long[] { 2, 3, 5, 32, 48 }));
            Compare.Close(onnxVideo.Item1, onnxVideo.Item2, new RefTensor(eagerVideo, eagerVideoShape), 1e-4, "onnx vs eager wan2.2 decode, batch 2, 2x3 latents");
            var (eagerMean, eagerMeanShape) = TorchReference.ToHost(VaeEager.Encode(model, ops, torch.tensor(video, videoShape)));
            Assert.That(eagerMeanShape, Is.EqualTo(new long[] { 1, 48, 3, 2, 4 }));
            Compare.Close(onnxMean.Item1, onnxMean.Item2, new RefTensor(eagerMean, eagerMeanShape), 1e-4, "onnx vs eager wan2.2 encode, 9 frames at 32x64");
        }
    }
}
