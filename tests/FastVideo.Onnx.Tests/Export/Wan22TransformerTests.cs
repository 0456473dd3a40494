using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Wan;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;
using TorchSharp;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// Wan2.2 TI2V's transformer with per-token timesteps ([B, S], timestep 0 on the conditioning frame's tokens): the eager
/// definition and the converted graph against Diffusers, and the manifest's declaration of the input's shape.
/// </summary>
public class Wan22TransformerTests
{
    static string Folder => Path.Combine(Wan22Fixture.Ti2v, "transformer");

    [Test]
    public void EagerPerTokenForwardMatchesDiffusers()
    {
        var model = new WanTransformer3DModel(WanTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(Folder, "config.json"))), perTokenTimesteps: true);
        using var archive = WeightArchive.Open(Folder);
        model.CheckWeights(archive);
        using var scope = torch.NewDisposeScope();
        var ops = TorchReference.Ops(archive, DType.Float32, out var weights);
        using (weights)
        {
            var output = model.Forward(ops,
                TorchReference.FromRef(Wan22Fixture.Get("ti2v_latents_init")),
                TorchReference.FromRef(Wan22Fixture.Get("ti2v_transformer_in_timestep")),
                TorchReference.FromRef(Wan22Fixture.Get("prompt_embeds")));
            var (data, shape) = TorchReference.ToHost(output);
            Compare.Close(data, shape, Wan22Fixture.Get("ti2v_transformer_out"), 1e-4, "eager ti2v transformer, per-token timesteps");
        }
    }

    [Test]
    public void ConvertedGraphTakesPerTokenTimestepsAndMatchesDiffusers()
    {
        using var dir = Repo.Temp();
        var manifest = Wan22Fixture.Convert(Wan22Fixture.Ti2v, "transformer", new WanTransformerExporter(), DType.Float32, dir["transformer"]);
        Assert.That(manifest.Graphs.Select(g => g.File), Is.EqualTo(new[] { WanTransformerExporter.GraphFile }), "no fused graph for per-token modulation");
        Assert.That(manifest.Notes, Has.One.EqualTo(WanTransformerExporter.PerTokenNote));
        var timestep = manifest.Graphs[0].Inputs.Single(i => i.Name == WanTransformerGraph.Timestep);
        Assert.That(timestep.Shape.Select(d => d.ToString()), Is.EqualTo(new[] { "batch", WanTransformerContract.TokensDim }));

        var latents = Wan22Fixture.Get("ti2v_latents_init");
        var t = Wan22Fixture.Get("ti2v_transformer_in_timestep");
        var text = Wan22Fixture.Get("prompt_embeds");
        var outputs = OrtRunner.Run(Path.Combine(dir["transformer"], WanTransformerExporter.GraphFile),
            (WanTransformerGraph.HiddenStates, latents.Data, latents.Shape),
            (WanTransformerGraph.Timestep, t.Data, t.Shape),
            (WanTransformerGraph.EncoderHiddenStates, text.Data, text.Shape));
        var (data, shape) = outputs[WanTransformerGraph.Sample];
        Compare.Close(data, shape, Wan22Fixture.Get("ti2v_transformer_out"), 1e-4, "onnx ti2v transformer, per-token timesteps (fp32, CPU EP)");
    }

    /// <summary>A transformer of a folder without expand_timesteps keeps the [B] timestep.</summary>
    [Test]
    public void OtherWanTransformersKeepOneTimestepPerBatchItem()
    {
        using var dir = Repo.Temp();
        var manifest = Wan22Fixture.Convert(Wan22Fixture.A14bT2v, "transformer", new WanTransformerExporter(), DType.Float32, dir["transformer"]);
        var timestep = manifest.Graphs[0].Inputs.Single(i => i.Name == WanTransformerGraph.Timestep);
        Assert.That(timestep.Shape.Select(d => d.ToString()), Is.EqualTo(new[] { "batch" }));
        Assert.That(manifest.Graphs.Select(g => g.File), Does.Contain(WanTransformerExporter.FusedGraphFile));
    }
}
