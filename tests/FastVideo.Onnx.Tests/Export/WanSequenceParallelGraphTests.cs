using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Onnx;
using FastVideo.Onnx.Export.Wan;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// The Wan transformer's per-rank sequence-parallel graph (Ulysses all-to-all around self-attention) on simulated
/// ranks -- CPU sessions of one process meeting in the collective library -- against the single graph.
/// </summary>
public class WanSequenceParallelGraphTests
{
    const int Ranks = 2;

    static WanTransformer3DModel Tiny(out string folder)
    {
        folder = Path.Combine(Repo.TinyT2V, "transformer");
        return new WanTransformer3DModel(WanTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(folder, "config.json"))));
    }

    /// <summary>Latents with 4 latent frames (2 per rank), a deterministic pattern.</summary>
    static (float[] Data, long[] Shape) Latents(int frames = 4)
    {
        long[] shape = { 1, 16, frames, 8, 8 };
        var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < data.Length; i++) data[i] = MathF.Sin(i * 0.731f) * 0.8f + MathF.Cos(i * 0.013f) * 0.3f;
        return (data, shape);
    }

    /// <summary>Frames [start, start + count) of [B, C, F, H, W].</summary>
    internal static float[] Frames(float[] x, long[] shape, long start, long count)
    {
        long b = shape[0], c = shape[1], f = shape[2], plane = shape[3] * shape[4];
        var y = new float[b * c * count * plane];
        for (long bc = 0; bc < b * c; bc++)
            Array.Copy(x, (bc * f + start) * plane, y, bc * count * plane, count * plane);
        return y;
    }

    /// <summary>The ranks' [B, C, F/N, H, W] outputs put back in frame order.</summary>
    internal static float[] Gather((float[] Data, long[] Shape)[] parts)
    {
        long b = parts[0].Shape[0], c = parts[0].Shape[1], f = parts[0].Shape[2], plane = parts[0].Shape[3] * parts[0].Shape[4];
        var y = new float[b * c * f * parts.Length * plane];
        for (int r = 0; r < parts.Length; r++)
        for (long bc = 0; bc < b * c; bc++)
            Array.Copy(parts[r].Data, bc * f * plane, y, (bc * f * parts.Length + r * f) * plane, f * plane);
        return y;
    }

    /// <param name="swapped">Give each rank the other rank's frames (the ranks' positions then disagree with their data).</param>
    /// <param name="sparsity">The VSA sparsity input (a VSA graph), or null.</param>
    static (float[] Data, long[] Shape)[] RunRanks(string path, (float[] Data, long[] Shape) hidden, float timestep, RefTensor text, bool swapped = false,
        float? sparsity = null)
    {
        long local = hidden.Shape[2] / Ranks;
        long group = RankSessions.NewGroup();
        var inputs = Enumerable.Range(0, Ranks).Select(r =>
        {
            var floats = new List<(string, float[], long[])>
            {
                (WanTransformerGraph.HiddenStates, Frames(hidden.Data, hidden.Shape, (swapped ? Ranks - 1 - r : r) * local, local), new[] { hidden.Shape[0], hidden.Shape[1], local, hidden.Shape[3], hidden.Shape[4] }),
                (WanTransformerGraph.Timestep, new[] { timestep }, new long[] { 1 }),
                (WanTransformerGraph.EncoderHiddenStates, text.Data, text.Shape),
            };
            if (sparsity is float v) floats.Add((WanTransformerGraph.VsaSparsity, new[] { v }, new long[] { 1 }));
            return (floats.ToArray(), new[] { (WanTransformerContract.SequenceRank, new long[] { r }), (WanTransformerContract.SequenceGroup, new[] { group }) });
        }).ToList();
        return RankSessions.Run(path, inputs);
    }

    [Test]
    public void VideoSparseAttentionOnTwoRanksEqualsTheSingleGraph()
    {
        // FastWan: VSA's tiles (4x4x4 of the DiT grid), tile means and top-k are per head over the whole grid, which each
        // rank sees for its heads after the all-to-all
        string folder = FastWanFixture.Transformer;
        using var archive = WeightArchive.Open(folder);
        var model = new WanTransformer3DModel(WanTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(folder, "config.json"))),
            WanTransformer3DModel.DetectVsaGates(archive.Tensors.Keys, 2, folder));
        Assert.That(model.UsesVsa, Is.True);
        model.CheckWeights(archive);
        using var dir = Repo.Temp();
        string single = dir["single.onnx"], perRank = dir["sp2.onnx"];
        new OnnxModelWriter().Write(WanTransformerGraph.Build(model, DType.Float32), new CheckpointWeights(archive), single, "single");
        new OnnxModelWriter().Write(WanTransformerGraph.BuildSequenceParallel(model, DType.Float32, Ranks), new CheckpointWeights(archive), perRank, "sp2");
        // the fixture's first 4 of 5 latent frames: a 4x6x8 grid, whose one tile in time spans both ranks' frames
        var all = FastWanFixture.Get("dmd_latents_init");
        long[] shape = { 1, 16, 4, all.Shape[3], all.Shape[4] };
        var latents = (Data: Frames(all.Data, all.Shape, 0, 4), Shape: shape);
        var text = FastWanFixture.Get("prompt_embeds");
        var outputs = new Dictionary<float, float[]>();
        foreach (float sparsity in new[] { 0f, 0.5f })
        {
            var expected = OrtRunner.Run(single,
                (WanTransformerGraph.HiddenStates, latents.Data, latents.Shape),
                (WanTransformerGraph.Timestep, new float[] { 757 }, new long[] { 1 }),
                (WanTransformerGraph.EncoderHiddenStates, text.Data, text.Shape),
                (WanTransformerGraph.VsaSparsity, new[] { sparsity }, new long[] { 1 }))[WanTransformerGraph.Sample];
            var gathered = Gather(RunRanks(perRank, latents, 757, text, sparsity: sparsity));
            double maxDiff = gathered.Zip(expected.Data, (a, b) => Math.Abs(a - b)).Max();
            TestContext.Out.WriteLine($"VSA (sparsity {sparsity}) on 2 ranks vs single graph, max abs diff {maxDiff:E2}");
            Assert.That(maxDiff, Is.LessThanOrEqualTo(1e-5), $"sparsity {sparsity}");
            outputs[sparsity] = gathered;
        }
        Assert.That(Compare.MaxAbs(outputs[0f], outputs[0.5f]), Is.GreaterThan(1e-3), "the sparsity selects tiles (the check is not vacuous)");
    }

    [Test]
    public void TwoRanksEqualTheSingleGraph()
    {
        var model = Tiny(out string folder);
        Assert.That(model.Config.NumAttentionHeads % Ranks, Is.Zero, "the tiny transformer's heads divide by the ranks");
        using var archive = WeightArchive.Open(folder);
        model.CheckWeights(archive);
        using var dir = Repo.Temp();
        string single = dir["single.onnx"], perRank = dir["sp2.onnx"];
        new OnnxModelWriter().Write(WanTransformerGraph.Build(model, DType.Float32), new CheckpointWeights(archive), single, "single");
        var graph = WanTransformerGraph.BuildSequenceParallel(model, DType.Float32, Ranks);
        Assert.That(graph.Nodes.Count(n => n.OpType == FastVideoCollectives.AllToAll.Name && n.Domain == FastVideoKernels.Domain),
            Is.EqualTo(4 * model.Config.NumLayers), "q, k, v in and the output back, per block");
        new OnnxModelWriter().Write(graph, new CheckpointWeights(archive), perRank, "sp2");

        var hidden = Latents();
        var text = Reference.Get("prompt_embeds");
        foreach (float t in new[] { 999f, 500f })
        {
            var expected = OrtRunner.Run(single,
                (WanTransformerGraph.HiddenStates, hidden.Data, hidden.Shape),
                (WanTransformerGraph.Timestep, new[] { t }, new long[] { 1 }),
                (WanTransformerGraph.EncoderHiddenStates, text.Data, text.Shape))[WanTransformerGraph.Sample];
            var parts = RunRanks(perRank, hidden, t, text);
            Assert.That(parts.Select(p => p.Shape), Is.All.EqualTo(new long[] { 1, 16, 2, 8, 8 }));
            var gathered = Gather(parts);
            double maxDiff = gathered.Zip(expected.Data, (a, b) => Math.Abs(a - b)).Max();
            TestContext.Out.WriteLine($"t={t}: 2 ranks vs single graph, max abs diff {maxDiff:E2}");
            Assert.That(maxDiff, Is.LessThanOrEqualTo(1e-5), $"t={t}");
            // the ranks' positions matter (rotary positions are global): the frames given to the wrong ranks change the result
            var swapped = Gather(RunRanks(perRank, hidden, t, text, swapped: true));
            Assert.That(Enumerable.Range(0, swapped.Length).Max(i => Math.Abs(swapped[i] - expected.Data[i])), Is.GreaterThan(1e-3),
                "swapped ranks give a different prediction");
        }
    }

    [Test]
    public void WorldSizeOneEagerShardIsTheUnshardedForward()
    {
        // the model's sequence-parallel code path at one rank, eagerly (the all-to-all is the identity): the same as without
        var model = Tiny(out string folder);
        using var archive = WeightArchive.Open(folder);
        model.CheckWeights(archive);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var ops = TorchReference.Ops(archive, DType.Float32, out var weights);
        using (weights)
        {
            var hidden = Latents(3);
            var text = Reference.Get("prompt_embeds");
            var x = TorchSharp.torch.tensor(hidden.Data, hidden.Shape);
            var t = TorchSharp.torch.tensor(new float[] { 700 });
            var plain = TorchReference.ToHost(model.Forward(ops, x, t, TorchReference.FromRef(text)));
            var shard = new SequenceShard<TorchSharp.torch.Tensor>(1, TorchSharp.torch.tensor(new long[] { 0 }), TorchSharp.torch.tensor(new long[] { 0 }));
            var sharded = TorchReference.ToHost(model.Forward(ops, x, t, TorchReference.FromRef(text), shard: shard));
            Assert.That(sharded.Data, Is.EqualTo(plain.Data));
            Assert.Throws<NotSupportedException>(() => model.Forward(ops, x, t, TorchReference.FromRef(text),
                shard: shard with { WorldSize = 2 }));
        }
    }
}
