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
        Assert.That(manifest.Graphs.Select(g => g.File), Is.EqualTo(new[] { WanTransformerExporter.GraphFile, WanTransformerExporter.FusedGraphFile }),
            "the fused graph takes per-token modulation");
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

    /// <summary>
    /// Each block's per-token modulation (six [B, S, dim] float32 tensors) depends on that block's input, so that no
    /// execution order can compute every block's modulation before the first block runs (on a 27,280-token video that
    /// held 60 GiB at once). Checked on the graph: the node adding the block's table to the projection reaches back to
    /// the previous block's output.
    /// </summary>
    [Test]
    public void EachBlocksPerTokenModulationWaitsForTheBlocksInput()
    {
        var config = WanTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(Folder, "config.json")));
        Assert.That(config.NumLayers, Is.GreaterThanOrEqualTo(2), "the fixture needs two blocks");
        var graph = WanTransformerGraph.Build(new WanTransformer3DModel(config, perTokenTimesteps: true), DType.Float32, fusedKernels: false);
        var producer = graph.Nodes.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        bool Reaches(global::Onnx.NodeProto node, string prefix)
        {
            var seen = new HashSet<global::Onnx.NodeProto>();
            var stack = new Stack<global::Onnx.NodeProto>(new[] { node });
            while (stack.Count > 0)
            {
                var n = stack.Pop();
                if (!seen.Add(n)) continue;
                if (n != node && n.Name.StartsWith(prefix, StringComparison.Ordinal)) return true;
                foreach (var input in n.Input)
                    if (producer.TryGetValue(input, out var p)) stack.Push(p);
            }
            return false;
        }
        for (int k = 1; k < config.NumLayers; k++)
        {
            // the block's first Add of a [1, 6, dim] table and the [B, S, 6, dim] projection feeds its Split
            var split = graph.Nodes.First(n => n.Name.StartsWith($"blocks.{k}/", StringComparison.Ordinal) && n.OpType == "Split");
            Assert.That(Reaches(producer[split.Input[0]], $"blocks.{k - 1}."), Is.True, $"block {k}'s modulation does not wait for block {k - 1}");
        }

        // In a bfloat16 graph the comparison still runs in float32: ONNX Runtime has no bfloat16 Less kernel (CUDA or CPU).
        var bf16 = WanTransformerGraph.Build(new WanTransformer3DModel(config, perTokenTimesteps: true), DType.BFloat16, fusedKernels: false);
        var castOf = bf16.Nodes.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        var less = bf16.Nodes.Where(n => n.OpType == "Less").ToList();
        Assert.That(less, Has.Count.EqualTo(config.NumLayers));
        foreach (var node in less)
            Assert.That(node.Input.Select(i => castOf[i]).All(p => p.OpType == "Cast" && p.Attribute.Single(a => a.Name == "to").I == 1), Is.True,
                $"{node.Name} compares float32 values");
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
