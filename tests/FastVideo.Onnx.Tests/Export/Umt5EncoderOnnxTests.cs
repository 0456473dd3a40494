using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Onnx;
using FastVideo.Onnx.Export.Umt5;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;
using Onnx;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>The exported UMT5 encoder graph on ONNX Runtime's CPU execution provider, and its exporter.</summary>
public class Umt5EncoderOnnxTests
{
    static string Export(DType type, TempDir dir, out Umt5EncoderModel model)
    {
        model = Umt5Fixture.Model();
        using var archive = WeightArchive.Open(Umt5Fixture.Folder);
        model.CheckWeights(archive);
        string path = dir["text_encoder.onnx"];
        new OnnxModelWriter().Write(Umt5EncoderGraph.Build(model, type), new CheckpointWeights(archive), path, "umt5_encoder");
        return path;
    }

    static (float[] Data, long[] Shape) Run(string path, long[] ids, long[] mask, long[] shape)
    {
        var result = OrtTypedRunner.Run(path,
            OrtInput.Int64(Umt5EncoderGraph.InputIds, ids, shape),
            OrtInput.Int64(Umt5EncoderGraph.AttentionMask, mask, shape))[Umt5EncoderGraph.LastHiddenState];
        return result;
    }

    static ComponentSource Source(string folder, DType precision) =>
        new(new ComponentEntry("text_encoder", "transformers", "UMT5EncoderModel"), folder, ModelIndex.Load(Repo.TinyT2V), precision);

    [Test]
    public void Float32GraphMatchesPipelineEmbeddings()
    {
        using var dir = Repo.Temp();
        string path = Export(DType.Float32, dir, out _);
        foreach (var which in new[] { "positive", "negative" })
        {
            var (ids, mask, expected, valid) = Umt5Fixture.Prompt(which);
            var (data, shape) = Run(path, ids, mask, new long[] { 1, ids.Length });
            Assert.That(shape, Is.EqualTo(new long[] { 1, 32, 64 }));
            Compare.Close(Umt5Fixture.ValidRows(data, shape, valid).Data, new long[] { 1, valid, 64 },
                Umt5Fixture.ExpectedValidRows(expected, valid), 1e-4, $"onnx fp32 umt5 {which} prompt ({valid} tokens)");
        }
    }

    [Test]
    public void BatchAndLengthAreDynamicAndAgreeWithEager()
    {
        // Two rows of different real lengths in one batch, at lengths other than the fixture's 32: every position
        // (padding included) must agree with the eager reference, so the mask and the bucket table are batch- and length-correct.
        using var dir = Repo.Temp();
        string path = Export(DType.Float32, dir, out var model);
        using var archive = WeightArchive.Open(Umt5Fixture.Folder);
        foreach (int length in new[] { 7, 45 })
        {
            var ids = new long[2 * length];
            var mask = new long[2 * length];
            int[] valid = { Math.Min(length, 19), Math.Max(1, length / 3) };
            for (int b = 0; b < 2; b++)
            for (int i = 0; i < length; i++)
            {
                bool real = i < valid[b];
                ids[b * length + i] = real ? (i == valid[b] - 1 ? 1 : 3 + (b * 131 + i * 37) % 1190) : 0;
                mask[b * length + i] = real ? 1 : 0;
            }
            long[] shape = { 2, length };
            var onnx = Run(path, ids, mask, shape);
            var eager = Umt5Fixture.Eager(model, archive, DType.Float32, ids, mask, shape);
            Assert.That(onnx.Shape, Is.EqualTo(new long[] { 2, length, 64 }));
            Compare.Close(onnx.Data, onnx.Shape, new RefTensor(eager.Data, eager.Shape), 1e-4, $"umt5 onnx vs eager, batch 2, length {length}");
        }
    }

    [Test]
    public void BFloat16ExportWritesBf16Initializers()
    {
        // ONNX Runtime's CPU provider has no bf16 kernels for most of these operators (session creation stops at the
        // first one, the mask's Sub, with NotImplemented; MatMul, RMSNormalization and MultiHeadAttention follow), so
        // the graph is checked structurally, then run through Bf16OnCpu (float32 kernels, bf16 rounding wherever the
        // graph holds bf16 values) and compared by cosine with transformers' fp32 output.
        using var dir = Repo.Temp();
        string path = Export(DType.BFloat16, dir, out var model);
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.That(proto.Graph.Input.Select(i => (TensorProto.Types.DataType)i.Type.TensorType.ElemType),
            Is.All.EqualTo(TensorProto.Types.DataType.Int64));
        Assert.That((TensorProto.Types.DataType)proto.Graph.Output[0].Type.TensorType.ElemType, Is.EqualTo(TensorProto.Types.DataType.Float));

        // every checkpoint weight exactly once, as bf16 (linear weights pre-transposed, marked ^T)
        var weights = proto.Graph.Initializer.Where(t => !t.Name.StartsWith("const/", StringComparison.Ordinal)).ToList();
        var parameters = model.Parameters().ToDictionary(p => p.Name);
        Assert.That(weights.Select(t => t.Name.EndsWith("^T", StringComparison.Ordinal) ? t.Name[..^2] : t.Name), Is.EquivalentTo(parameters.Keys));
        Assert.That(weights.Select(t => (TensorProto.Types.DataType)t.DataType), Is.All.EqualTo(TensorProto.Types.DataType.Bfloat16));
        long expectedBytes = parameters.Values.Sum(p => p.ElementCount * 2);
        long written = weights.Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b) * 2);
        Assert.That(written, Is.EqualTo(expectedBytes));
        long external = weights.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External).Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b) * 2);
        Assert.That(new FileInfo(path + ".data").Length, Is.GreaterThanOrEqualTo(external));
        // no float32 copy of anything weight-sized slipped in
        Assert.That(proto.Graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float).Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b)),
            Is.LessThan(16));
        TestContext.Out.WriteLine($"bf16 export: {weights.Count} weight initializers, {written} bytes");

        string cpu = Bf16OnCpu.Rewrite(path, dir["text_encoder_bf16_cpu.onnx"]);
        foreach (var which in new[] { "positive", "negative" })
        {
            var (ids, mask, expected, valid) = Umt5Fixture.Prompt(which);
            var (data, shape) = Run(cpu, ids, mask, new long[] { 1, ids.Length });
            Compare.Similar(Umt5Fixture.ValidRows(data, shape, valid).Data, Umt5Fixture.ExpectedValidRows(expected, valid), 0.999,
                $"onnx bf16 (emulated on CPU) umt5 {which} prompt");
        }
    }

    [Test]
    public void Float16RequestExportsBFloat16WithANote()
    {
        using var prepared = new Umt5EncoderExporter().Prepare(Source(Umt5Fixture.Folder, DType.Float16));
        Assert.That(prepared.Precision, Is.EqualTo(DType.BFloat16));
        Assert.That(prepared.Notes, Has.Exactly(1).Contains("fp16 requested").And.Contains("bf16"));
        using var dir = Repo.Temp();
        var manifest = prepared.Write(dir.Path, new Progress<long>(), CancellationToken.None);
        Assert.That(manifest.Precision, Is.EqualTo("bf16"));
        Assert.That(manifest.Notes, Is.EqualTo(prepared.Notes));
        Assert.That(File.Exists(dir["model.onnx"]), Is.True);
        Assert.That(manifest.Graphs[0].Inputs.Select(i => i.Name), Is.EqualTo(new[] { "input_ids", "attention_mask" }));
        Assert.That(manifest.Graphs[0].Inputs[0].Shape.Select(d => d.ToString()), Is.EqualTo(new[] { "batch", "sequence" }));
    }

    [Test]
    public void Float32ExporterWritesWithoutNotes()
    {
        using var prepared = new Umt5EncoderExporter().Prepare(Source(Umt5Fixture.Folder, DType.Float32));
        Assert.That(prepared.Precision, Is.EqualTo(DType.Float32));
        Assert.That(prepared.Notes, Is.Empty);
    }

    [Test]
    public void TiedEmbeddingCopyIsAcceptedButAnUnexpectedTensorIsRejectedByName()
    {
        using var dir = Repo.Temp();
        byte[] table;
        using (var f = SafetensorsFile.Open(Path.Combine(Umt5Fixture.Folder, "model.safetensors")))
            table = f.ReadBytes(f.Tensors[Umt5EncoderModel.SharedKey]);

        string tied = CheckpointCopy.Make(Umt5Fixture.Folder, dir["tied"],
            extra: new[] { (Umt5EncoderModel.TiedKey, DType.Float32, new long[] { 1200, 64 }, table) });
        using (var prepared = new Umt5EncoderExporter().Prepare(Source(tied, DType.Float32)))
            Assert.That(prepared.Precision, Is.EqualTo(DType.Float32));

        // a checkpoint with only the tied name still defines the model (transformers ties shared to it)
        string tiedOnly = CheckpointCopy.Make(Umt5Fixture.Folder, dir["tied-only"],
            rename: n => n == Umt5EncoderModel.SharedKey ? Umt5EncoderModel.TiedKey : n);
        using (var prepared = new Umt5EncoderExporter().Prepare(Source(tiedOnly, DType.Float32)))
            Assert.That(prepared.Precision, Is.EqualTo(DType.Float32));

        const string stray = "encoder.block.0.layer.0.SelfAttention.q.bias";
        string extra = CheckpointCopy.Make(Umt5Fixture.Folder, dir["extra"],
            extra: new[] { (stray, DType.Float32, new long[] { 64 }, new byte[64 * 4]) });
        var e = Assert.Throws<ModelFormatException>(() => new Umt5EncoderExporter().Prepare(Source(extra, DType.Float32)))!;
        Assert.That(e.Message, Does.Contain($"'{stray}'").And.Contain("model.safetensors"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
        TestContext.Out.WriteLine(e.Message);
    }
}
