using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Wan;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;
using TorchSharp;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// The converted Wan VAE (the registered exporter's output: four chunk graphs + manifest) driven chunk by chunk on ONNX
/// Runtime's CPU execution provider, against Diffusers' outputs and against the eager definition.
/// </summary>
public class WanVaeOnnxTests
{
    TempDir _dir = null!;
    string _fp32 = null!;
    ComponentManifest _manifest = null!;

    [OneTimeSetUp]
    public void ConvertOnce()
    {
        _dir = Repo.Temp();
        _fp32 = _dir["vae-fp32"];
        _manifest = VaeFixture.Convert(Repo.TinyT2V, DType.Float32, _fp32);
    }

    [OneTimeTearDown]
    public void Cleanup() => _dir.Dispose();

    [Test]
    public void Float32DecoderGraphsMatchDiffusers()
    {
        using var decoder = VaeChunkRunner.Decoder(_fp32);
        var input = Reference.Get("vae_decode_in");
        var (video, shape) = decoder.Run(input.Data, input.Shape);
        Compare.Close(video, shape, Reference.Get("vae_decode_out"), 1e-4, "onnx vae decode, 3 chunks (fp32, CPU EP)");
    }

    [Test]
    public void Float32EncoderGraphsMatchDiffusers()
    {
        using var encoder = VaeChunkRunner.Encoder(_fp32);
        var input = Reference.Get("vae_encode_in");
        var (mean, shape) = encoder.Run(input.Data, input.Shape);
        Compare.Close(mean, shape, Reference.Get("vae_encode_mean"), 1e-4, "onnx vae encode mean, 3 chunks (fp32, CPU EP)");
    }

    /// <summary>The same graphs at another batch, spatial size and frame count (non-square, not the fixture's), against the eager definition.</summary>
    [Test]
    public void SameGraphsHandleOtherSizesAndFrameCounts()
    {
        long[] latentShape = { 2, 16, 2, 4, 6 };
        long[] videoShape = { 1, 3, 9, 24, 40 };
        var latents = Patterns.Wave(latentShape, 2f);
        var video = Patterns.Wave(videoShape, 1f, 0.05f);

        (float[], long[]) onnxVideo, onnxMean;
        using (var decoder = VaeChunkRunner.Decoder(_fp32)) onnxVideo = decoder.Run(latents, latentShape);
        using (var encoder = VaeChunkRunner.Encoder(_fp32)) onnxMean = encoder.Run(video, videoShape);

        var (model, archive) = VaeFixture.Load();
        using var _ = archive;
        using var scope = torch.NewDisposeScope();
        var ops = TorchReference.Ops(archive, DType.Float32, out var weights);
        using (weights)
        {
            var (eagerVideo, eagerVideoShape) = TorchReference.ToHost(VaeEager.Decode(model, ops, torch.tensor(latents, latentShape)));
            Assert.That(eagerVideoShape, Is.EqualTo(new long[] { 2, 3, 5, 32, 48 }));
            Compare.Close(onnxVideo.Item1, onnxVideo.Item2, new RefTensor(eagerVideo, eagerVideoShape), 1e-4, "onnx vs eager decode, batch 2, 2 latent frames at 4x6");

            var (eagerMean, eagerMeanShape) = TorchReference.ToHost(VaeEager.Encode(model, ops, torch.tensor(video, videoShape)));
            Assert.That(eagerMeanShape, Is.EqualTo(new long[] { 1, 16, 3, 3, 5 }));
            Compare.Close(onnxMean.Item1, onnxMean.Item2, new RefTensor(eagerMean, eagerMeanShape), 1e-4, "onnx vs eager encode, 9 frames at 24x40");
        }
    }

    /// <summary>What the runtime reads: four graphs sharing one data file, every cache input of a chunk graph produced by the previous call.</summary>
    [Test]
    public void ManifestDescribesTheChunkProtocol()
    {
        Assert.That(_manifest.ClassName, Is.EqualTo("AutoencoderKLWan"));
        Assert.That(_manifest.Graphs.Select(g => g.File), Is.EquivalentTo(new[]
        {
            WanVaeChunking.DecoderFirstGraph, WanVaeChunking.DecoderGraph, WanVaeChunking.EncoderFirstGraph, WanVaeChunking.EncoderGraph,
            WanVaeChunking.DecoderFirstFusedGraph, WanVaeChunking.DecoderFusedGraph, WanVaeChunking.EncoderFirstFusedGraph, WanVaeChunking.EncoderFusedGraph,
        }));
        var dataFiles = _manifest.Graphs.Select(g => g.DataFile).Distinct().ToList();
        Assert.That(dataFiles, Has.Count.EqualTo(1).And.Not.Contains(null), "one shared external data file");
        // Every external weight stored once for the eight graphs (each tensor is 4096-aligned in the file).
        var external = VaeFixture.Model().Parameters().Where(p => p.ElementCount * 4 > 1024).ToList();
        long weightBytes = external.Sum(p => p.ElementCount * 4);
        Assert.That(_manifest.DataBytes, Is.InRange(weightBytes, weightBytes + external.Count * 4096L), "each weight stored once");

        var model = VaeFixture.Model();
        foreach (var (first, next, layout, data) in new[]
                 {
                     (WanVaeChunking.DecoderFirstGraph, WanVaeChunking.DecoderGraph, WanVaeGraphs.DecoderCaches(model), WanVaeChunking.LatentsName),
                     (WanVaeChunking.EncoderFirstGraph, WanVaeChunking.EncoderGraph, WanVaeGraphs.EncoderCaches(model), WanVaeChunking.VideoName),
                 })
        {
            var f = _manifest.Graph(first, _fp32);
            var n = _manifest.Graph(next, _fp32);
            Assert.That(f.Inputs.Select(i => i.Name), Is.EqualTo(new[] { data }), $"{first} takes no cache");
            Assert.That(n.Inputs.Select(i => i.Name), Is.EqualTo(new[] { data }.Concat(layout.Select(s => s.InputName))), $"{next} inputs");
            Assert.That(f.Outputs.Skip(1).Select(o => o.Name), Is.EqualTo(layout.Select(s => s.OutputName)), $"{first} cache outputs");
            Assert.That(n.Outputs.Skip(1).Select(o => o.Name), Is.EqualTo(layout.Select(s => s.OutputName)), $"{next} cache outputs");
            for (int i = 0; i < layout.Count; i++)
            {
                string Dims(TensorSignature s) => string.Join(",", s.Shape.Select(d => d.ToString()));
                Assert.That(Dims(f.Outputs[i + 1]), Is.EqualTo(Dims(n.Inputs[i + 1])), $"{first} {layout[i].OutputName} feeds {next} {layout[i].InputName}");
                Assert.That(Dims(n.Outputs[i + 1]), Is.EqualTo(Dims(n.Inputs[i + 1])));
            }
        }
        // The fused-kernel graphs have the same signature: the runtime swaps them without changing a binding.
        foreach (var graph in WanVaeChunking.Graphs)
        {
            string Signature(GraphManifest g) => string.Join(";", g.Inputs.Concat(g.Outputs).Select(t => $"{t.Name}:{t.DType}:{string.Join(",", t.Shape.Select(d => d.ToString()))}"));
            Assert.That(Signature(_manifest.Graph(WanVaeChunking.FusedGraph(graph), _fp32)), Is.EqualTo(Signature(_manifest.Graph(graph, _fp32))), graph);
        }
        var decoderCache = _manifest.Graph(WanVaeChunking.DecoderGraph, _fp32).Inputs.First(i => i.Name == "cache_10");
        Assert.That(decoderCache.Shape.Select(d => d.ToString()), Is.EqualTo(new[] { "batch", "16", "2", "latent_height*2", "latent_width*2" }));
    }

    [Test]
    public void Float16GraphsAgreeWithDiffusers()
    {
        string folder = _dir["vae-fp16"];
        var manifest = VaeFixture.Convert(Repo.TinyT2V, DType.Float16, folder);
        Assert.That(manifest.Precision, Is.EqualTo("fp16"));
        var decodeIn = Reference.Get("vae_decode_in");
        var encodeIn = Reference.Get("vae_encode_in");
        using (var decoder = VaeChunkRunner.Decoder(folder))
            Compare.Similar(decoder.Run(decodeIn.Data, decodeIn.Shape).Data, Reference.Get("vae_decode_out"), 0.999, "onnx vae decode (fp16 weights and activations, CPU EP)");
        using (var encoder = VaeChunkRunner.Encoder(folder))
            Compare.Similar(encoder.Run(encodeIn.Data, encodeIn.Shape).Data, Reference.Get("vae_encode_mean"), 0.999, "onnx vae encode mean (fp16, CPU EP)");
    }

    [Test]
    public void BFloat16RequestExportsFloat32WithANote()
    {
        using var prepared = VaeFixture.Prepare(Repo.TinyT2V, DType.BFloat16);
        Assert.That(prepared.Precision, Is.EqualTo(DType.Float32));
        Assert.That(prepared.Notes, Has.One.Contains("bf16"));
    }
}
