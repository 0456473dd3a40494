using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Onnx;
using FastVideo.Onnx.Export.Wan;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;
using TorchSharp;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// The FastWan transformer (Wan2.1 with FastVideo's VSA gates): Video Sparse Attention eagerly in TorchSharp and as the
/// portable ONNX graph on the CPU EP, against the fastwan-tiny references; dense mode; gate detection.
/// </summary>
public class FastWanTransformerTests
{
    static WanTransformer3DModel Define(string folder, WeightArchive archive) =>
        new(WanTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(folder, "config.json"))),
            WanTransformer3DModel.DetectVsaGates(archive.Tensors.Keys, 2, folder));

    static float[] Eager(string folder, int timestep, float? sparsity)
    {
        using var archive = WeightArchive.Open(folder);
        var model = Define(folder, archive);
        model.CheckWeights(archive);
        using var scope = torch.NewDisposeScope();
        var ops = TorchReference.Ops(archive, DType.Float32, out var weights);
        using (weights)
        {
            var output = model.Forward(ops, TorchReference.FromRef(FastWanFixture.Get("dmd_latents_init")), torch.tensor(new float[] { timestep }),
                TorchReference.FromRef(FastWanFixture.Get("prompt_embeds")), default,
                sparsity is float s ? torch.tensor(new[] { s }) : null);
            return TorchReference.ToHost(output).Data;
        }
    }

    static string Export(string folder, DType type, TempDir dir, bool dense = false)
    {
        using var archive = WeightArchive.Open(folder);
        var model = Define(folder, archive);
        model.CheckWeights(archive);
        string path = dir[$"transformer-{type.ShortName()}{(dense ? "-dense" : "")}.onnx"];
        new OnnxModelWriter().Write(WanTransformerGraph.Build(model, type, denseAttention: dense), new CheckpointWeights(archive), path, "fastwan_transformer");
        return path;
    }

    static (float[] Data, long[] Shape) Run(string path, int timestep, float? sparsity)
    {
        var lat = FastWanFixture.Get("dmd_latents_init");
        var ctx = FastWanFixture.Get("prompt_embeds");
        var inputs = new List<(string, float[], long[])>
        {
            (WanTransformerGraph.HiddenStates, lat.Data, lat.Shape),
            (WanTransformerGraph.Timestep, new float[] { timestep }, new long[] { 1 }),
            (WanTransformerGraph.EncoderHiddenStates, ctx.Data, ctx.Shape),
        };
        if (sparsity is float s) inputs.Add((WanTransformerGraph.VsaSparsity, new[] { s }, new long[] { 1 }));
        return OrtRunner.Run(path, inputs.ToArray())[WanTransformerGraph.Sample];
    }

    static long[] Shape => FastWanFixture.Get("dmd_latents_init").Shape;

    [TestCase(1000, 0f, "vsa_out_t1000_s0")]
    [TestCase(757, 0.75f, "vsa_out_t757_s75")]
    public void EagerVsaMatchesFastVideo(int timestep, float sparsity, string expected) =>
        Compare.Close(Eager(FastWanFixture.Transformer, timestep, sparsity), Shape, FastWanFixture.Get(expected), 1e-4, $"eager VSA t={timestep} s={sparsity}");

    [Test]
    public void EagerDenseModeMatchesFullAttention() =>
        Compare.Close(Eager(FastWanFixture.Transformer, 1000, null), Shape, FastWanFixture.Get("dense_out_t1000"), 1e-4, "eager dense (gate unused) t=1000");

    [Test]
    public void Float32GraphMatchesFastVideoAndEager()
    {
        using var dir = Repo.Temp();
        string path = Export(FastWanFixture.Transformer, DType.Float32, dir);
        var s0 = Run(path, 1000, 0f);
        Compare.Close(s0.Data, s0.Shape, FastWanFixture.Get("vsa_out_t1000_s0"), 1e-4, "onnx fp32 VSA t=1000 s=0");
        var s75 = Run(path, 757, 0.75f);
        Compare.Close(s75.Data, s75.Shape, FastWanFixture.Get("vsa_out_t757_s75"), 1e-4, "onnx fp32 VSA t=757 s=0.75");
        Compare.Close(s75.Data, s75.Shape, new RefTensor(Eager(FastWanFixture.Transformer, 757, 0.75f), Shape), 1e-4, "onnx vs eager VSA t=757 s=0.75");
        // the reference's top-k at 0.75 of 8 tiles is 2: sparsity changes the output
        Assert.That(VideoSparseAttention.TopK(0.75f, 8), Is.EqualTo(FastWanFixture.Setting("vsa_transformer_topk").GetInt32()));
        Assert.That(Compare.MaxAbs(s0.Data, s75.Data), Is.GreaterThan(1e-3), "sparsity 0.75 gave the output of sparsity 0");
    }

    [Test]
    public void DenseGraphMatchesFullAttention()
    {
        using var dir = Repo.Temp();
        var dense = Run(Export(FastWanFixture.Transformer, DType.Float32, dir, dense: true), 1000, null);
        Compare.Close(dense.Data, dense.Shape, FastWanFixture.Get("dense_out_t1000"), 1e-4, "onnx fp32 dense (gate unused) t=1000");
    }

    [Test]
    public void Float16GraphAgrees()
    {
        using var dir = Repo.Temp();
        var result = Run(Export(FastWanFixture.Transformer, DType.Float16, dir), 757, 0.75f);
        Compare.Similar(result.Data, FastWanFixture.Get("vsa_out_t757_s75"), 0.999, "onnx fp16 VSA t=757 s=0.75 (CPU EP)");
    }

    [Test]
    public void GateUnderSelfAttentionIsTheSameParameter()
    {
        using var dir = Repo.Temp();
        string folder = CheckpointCopy.Make(FastWanFixture.Transformer, dir["transformer"],
            name => name.Replace(".to_gate_compress.", ".attn1.to_gate_compress.", StringComparison.Ordinal));
        using (var archive = WeightArchive.Open(folder))
            Assert.That(Define(folder, archive).VsaGates, Is.EqualTo(WanVsaGatePlacement.SelfAttention));
        Compare.Close(Eager(folder, 757, 0.75f), Shape, FastWanFixture.Get("vsa_out_t757_s75"), 1e-4, "eager VSA, gate named attn1.to_gate_compress");
    }

    [Test]
    public void GateOnSomeBlocksOnlyIsAnErrorNamingTheBlock()
    {
        using var dir = Repo.Temp();
        string folder = CheckpointCopy.Make(FastWanFixture.Transformer, dir["transformer"],
            name => name.StartsWith("blocks.1.to_gate_compress.", StringComparison.Ordinal) ? "dropped." + name : name);
        using var archive = WeightArchive.Open(folder);
        var names = archive.Tensors.Keys.Where(k => !k.StartsWith("dropped.", StringComparison.Ordinal));
        var e = Assert.Throws<ModelFormatException>(() => WanTransformer3DModel.DetectVsaGates(names, 2, folder))!;
        Assert.That(e.Message, Does.Contain("block 1").And.Contain("blocks.1.to_gate_compress"));
    }

    [Test]
    public void ConverterExportsVsaWithSparsityInputAndNote()
    {
        using var dir = Repo.Temp();
        var index = ModelIndex.Load(FastWanFixture.Model);
        var source = new ComponentSource(index.Get("transformer"), FastWanFixture.Transformer, index, DType.Float32);
        using var prepared = new WanTransformerExporter().Prepare(source);
        Directory.CreateDirectory(dir["out"]);
        var manifest = prepared.Write(dir["out"], new Progress<long>(), CancellationToken.None);
        Assert.That(manifest.Notes, Has.Member(WanTransformerExporter.VsaNote));
        foreach (var graph in manifest.Graphs)
            Assert.That(graph.Inputs.Select(i => i.Name), Has.Member(WanTransformerGraph.VsaSparsity), graph.File);
    }

    [Test]
    public void DenseCheckpointHasNoSparsityInput()
    {
        using var archive = WeightArchive.Open(Path.Combine(Repo.TinyT2V, "transformer"));
        var model = Define(Path.Combine(Repo.TinyT2V, "transformer"), archive);
        Assert.That(model.UsesVsa, Is.False);
        var graph = WanTransformerGraph.Build(model, DType.Float32);
        Assert.That(graph.Inputs.Select(i => i.Name), Has.No.Member(WanTransformerGraph.VsaSparsity));
    }
}
