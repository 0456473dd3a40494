using System.Runtime.InteropServices;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Onnx;
using FastVideo.Onnx.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// The CPU collective library's <c>com.fastvideo.AllToAll</c> on its own: a one-node graph run as simulated ranks,
/// against the definition (rank r receives part r of every rank's input along the split axis, concatenated in rank order
/// along the gather axis), and its failure paths.
/// </summary>
public class AllToAllOperatorTests
{
    static string Graph(TempDir dir, int worldSize, int splitAxis, int gatherAxis, int axes)
    {
        var g = new OnnxGraphBuilder(DType.Float32);
        var x = g.Input("x", DType.Float32, Enumerable.Range(0, axes).Select(i => (Dim)$"d{i}").ToArray());
        var shard = new SequenceShard<OnnxValue>(worldSize, g.Input("rank", DType.Int64, 1), g.Input("group", DType.Int64, 1));
        var y = ((ITensorOps<OnnxValue>)g).AllToAll(x, splitAxis, gatherAxis, shard);
        g.Output(y, "y", Enumerable.Range(0, axes).Select(i => (Dim)$"o{i}").ToArray());
        string path = dir[$"all_to_all_{worldSize}_{splitAxis}_{gatherAxis}.onnx"];
        new OnnxModelWriter().Write(g, null, path, "all_to_all");
        return path;
    }

    static float[] Input(int rank, long count) => Enumerable.Range(0, (int)count).Select(i => rank * 1000f + i).ToArray();

    /// <summary>The definition, element by element.</summary>
    static float[] Expected(float[][] inputs, long[] shape, int split, int gather, int rank)
    {
        int n = inputs.Length;
        var outShape = (long[])shape.Clone();
        outShape[split] /= n;
        outShape[gather] *= n;
        long count = outShape.Aggregate(1L, (a, b) => a * b);
        var y = new float[count];
        var index = new long[shape.Length];
        for (long o = 0; o < count; o++)
        {
            long rest = o;
            for (int a = shape.Length - 1; a >= 0; a--)
            {
                index[a] = rest % outShape[a];
                rest /= outShape[a];
            }
            int source = (int)(index[gather] / shape[gather]);
            var i = (long[])index.Clone();
            i[gather] %= shape[gather];
            i[split] += rank * outShape[split];
            long flat = 0;
            for (int a = 0; a < shape.Length; a++) flat = flat * shape[a] + i[a];
            y[o] = inputs[source][flat];
        }
        return y;
    }

    [TestCase(2, 2, 1)] // Ulysses' first exchange: [B, S/N, H, D] -> [B, S, H/N, D]
    [TestCase(2, 1, 2)] // and back
    [TestCase(3, 0, 3)]
    [TestCase(3, 3, 0)]
    public void RanksReceiveTheirPartsOfEveryRank(int worldSize, int split, int gather)
    {
        using var dir = Repo.Temp();
        string path = Graph(dir, worldSize, split, gather, 4);
        long[] shape = { 3, 2, 6, 3 };
        shape[split] *= worldSize; // divisible along the split axis
        long count = shape.Aggregate(1L, (a, b) => a * b);
        long group = RankSessions.NewGroup();
        var inputs = Enumerable.Range(0, worldSize).Select(r => Input(r, count)).ToArray();
        var outputs = RankSessions.Run(path, Enumerable.Range(0, worldSize).Select(r => (
            new[] { ("x", inputs[r], shape) },
            new[] { ("rank", new long[] { r }), ("group", new[] { group }) })).ToList());
        for (int r = 0; r < worldSize; r++)
        {
            Assert.That(outputs[r].Shape[split], Is.EqualTo(shape[split] / worldSize));
            Assert.That(outputs[r].Shape[gather], Is.EqualTo(shape[gather] * worldSize));
            Assert.That(outputs[r].Data, Is.EqualTo(Expected(inputs, shape, split, gather, r)), $"rank {r}");
        }
    }

    [Test]
    public void RanksWithDifferentShapesFailTogether()
    {
        using var dir = Repo.Temp();
        string path = Graph(dir, 2, 2, 1, 4);
        long group = RankSessions.NewGroup();
        var e = Assert.Throws<AggregateException>(() => RankSessions.Run(path, new[]
        {
            (new[] { ("x", new float[16], new long[] { 1, 2, 4, 2 }) }, new[] { ("rank", new long[] { 0 }), ("group", new[] { group }) }),
            (new[] { ("x", new float[32], new long[] { 1, 4, 4, 2 }) }, new[] { ("rank", new long[] { 1 }), ("group", new[] { group }) }),
        }))!;
        Assert.That(e.InnerExceptions, Has.Count.EqualTo(2), "both ranks fail, neither waits forever");
        Assert.That(e.InnerExceptions.Select(x => x.Message), Has.All.Contains("every rank's input must have the same shape"));
    }

    [Test]
    public void AnIndivisibleSplitAxisNamesTheShape()
    {
        using var dir = Repo.Temp();
        string path = Graph(dir, 2, 2, 1, 4);
        var e = Assert.Throws<AggregateException>(() => RankSessions.Run(path, new[]
        {
            (new[] { ("x", new float[24], new long[] { 1, 2, 3, 4 }) }, new[] { ("rank", new long[] { 0 }), ("group", new[] { RankSessions.NewGroup() }) }),
        }))!;
        Assert.That(e.InnerExceptions.Single().Message, Does.Contain("x [1, 2, 3, 4] cannot be split 2 ways along axis 2"));
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate void Abort(long group, [MarshalAs(UnmanagedType.LPUTF8Str)] string reason);

    [Test]
    public void AnAbortedGroupReleasesAWaitingRank()
    {
        // one rank of two runs; the other never comes: aborting the group ends the wait with the reason
        using var dir = Repo.Temp();
        string path = Graph(dir, 2, 2, 1, 4);
        long group = RankSessions.NewGroup();
        var abort = Marshal.GetDelegateForFunctionPointer<Abort>(NativeLibrary.GetExport(NativeLibrary.Load(RankSessions.Library), "FastVideoCollectivesAbort"));
        var run = Task.Run(() => RankSessions.Run(path, new[]
        {
            (new[] { ("x", new float[16], new long[] { 1, 2, 4, 2 }) }, new[] { ("rank", new long[] { 0 }), ("group", new[] { group }) }),
        }));
        Thread.Sleep(300);
        Assert.That(run.IsCompleted, Is.False, "the rank waits for the other");
        abort(group, "rank 1 failed: test");
        var e = Assert.Throws<AggregateException>(() => run.Wait(TimeSpan.FromSeconds(30)))!;
        Assert.That(e.Flatten().InnerExceptions.Single().Message, Does.Contain("was aborted: rank 1 failed: test"));
    }
}
