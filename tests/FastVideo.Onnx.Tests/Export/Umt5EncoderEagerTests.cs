using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Umt5;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>The fixture text encoder and the prompts whose pipeline embeddings the fixtures hold.</summary>
internal static class Umt5Fixture
{
    public const int MaxSequenceLength = 32;

    public static string Folder => Path.Combine(Repo.TinyT2V, "text_encoder");

    public static Umt5EncoderModel Model() => new(Umt5Config.FromJson(JsonConfig.Load(Path.Combine(Folder, "config.json"))));

    /// <summary>
    /// The negative prompt "blurry, low quality, static" tokenized with the fixtures' spiece.model (spm_encode, which
    /// reproduces prompt_input_ids for the positive prompt), plus eos 1, padded with 0 to 32: 19 real tokens.
    /// The reference embeddings confirm the count: rows 19.. of negative_prompt_embeds are the pipeline's zero padding.
    /// </summary>
    public static readonly long[] NegativeIds = Pad(new long[] { 362, 63, 92, 66, 66, 85, 6, 7, 457, 136, 7, 1199, 92, 112, 236, 85, 6, 803, 1 });

    static long[] Pad(long[] ids) => ids.Concat(Enumerable.Repeat(0L, MaxSequenceLength - ids.Length)).ToArray();

    public static long[] MaskOf(long[] ids, int valid) => Enumerable.Range(0, ids.Length).Select(i => i < valid ? 1L : 0L).ToArray();

    /// <summary>(ids, mask, reference embeddings, real token count) for "positive" or "negative".</summary>
    public static (long[] Ids, long[] Mask, RefTensor Expected, int Valid) Prompt(string which)
    {
        if (which == "positive")
        {
            var mask = Reference.Int64("prompt_attention_mask");
            return (Reference.Int64("prompt_input_ids"), mask, Reference.Get("prompt_embeds"), (int)mask.Sum());
        }
        const int valid = 19;
        return (NegativeIds, MaskOf(NegativeIds, valid), Reference.Get("negative_prompt_embeds"), valid);
    }

    /// <summary>Rows [0, valid) of a [1, L, D] tensor: what the pipeline keeps before zero-padding.</summary>
    public static RefTensor ValidRows(float[] data, long[] shape, int valid)
    {
        long d = shape[^1];
        return new RefTensor(data.Take((int)(valid * d)).ToArray(), new long[] { 1, valid, d });
    }

    /// <summary>Checks the reference is what the pipeline makes: zeros after the real tokens. Returns its valid rows.</summary>
    public static RefTensor ExpectedValidRows(RefTensor expected, int valid)
    {
        long d = expected.Shape[^1];
        Assert.That(expected.Data.Skip((int)(valid * d)).All(v => v == 0), Is.True, "reference embeddings are not zero after the real tokens");
        return ValidRows(expected.Data, expected.Shape, valid);
    }

    public static (float[] Data, long[] Shape) Eager(T5FamilyEncoder model, WeightArchive archive, DType type, long[] ids, long[] mask, long[] shape) =>
        TorchReference.Run(archive, type, ops => model.Forward(ops, torch.tensor(ids, shape), torch.tensor(mask, shape)));
}

/// <summary>The UMT5 encoder definition run eagerly in TorchSharp on CPU against transformers' outputs (via the Wan pipeline).</summary>
public class Umt5EncoderEagerTests
{
    [TestCase("positive")]
    [TestCase("negative")]
    public void Float32MatchesPipelineEmbeddings(string which)
    {
        var model = Umt5Fixture.Model();
        using var archive = WeightArchive.Open(Umt5Fixture.Folder);
        model.CheckWeights(archive);
        var (ids, mask, expected, valid) = Umt5Fixture.Prompt(which);
        var (data, shape) = Umt5Fixture.Eager(model, archive, DType.Float32, ids, mask, new long[] { 1, ids.Length });
        Assert.That(shape, Is.EqualTo(new long[] { 1, 32, 64 }));
        Compare.Close(Umt5Fixture.ValidRows(data, shape, valid).Data, new long[] { 1, valid, 64 },
            Umt5Fixture.ExpectedValidRows(expected, valid), 1e-4, $"eager fp32 umt5 {which} prompt ({valid} tokens)");
    }

    [TestCase("positive")]
    [TestCase("negative")]
    public void BFloat16AgreesByCosine(string which)
    {
        // bf16 weights and activations, layer-norm statistics in float32, as transformers runs UMT5 loaded in bf16
        var model = Umt5Fixture.Model();
        using var archive = WeightArchive.Open(Umt5Fixture.Folder);
        var (ids, mask, expected, valid) = Umt5Fixture.Prompt(which);
        var (data, shape) = Umt5Fixture.Eager(model, archive, DType.BFloat16, ids, mask, new long[] { 1, ids.Length });
        Compare.Similar(Umt5Fixture.ValidRows(data, shape, valid).Data, Umt5Fixture.ExpectedValidRows(expected, valid), 0.999,
            $"eager bf16 umt5 {which} prompt");
    }
}

/// <summary>The host-side relative position bucket table against torch's own arithmetic.</summary>
public class Umt5RelativePositionBucketTests
{
    /// <summary>
    /// Buckets for relative positions -128..128 with UMT5's 32 buckets and max distance 128, as Python torch computed
    /// them with transformers' formula (the real model's setting; the boundary distances 16, 32 and 64 give exact
    /// quotients 2, 4, 6 that a different float path could truncate one bucket lower).
    /// </summary>
    const string Torch32x128 =
        "15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,14,14,14,14,14,14,14,14," +
        "14,14,14,14,14,14,14,14,14,14,14,14,14,14,14,14,14,14,14,13,13,13,13,13,13,13,13,13,13,13,13,13,13,13,13,13,13,12,12,12,12,12,12,12,12,12," +
        "12,12,12,12,12,11,11,11,11,11,11,11,11,11,10,10,10,10,10,10,10,9,9,9,9,8,8,8,8,7,6,5,4,3,2,1,0,17,18,19,20,21,22,23,24,24,24,24,25,25,25," +
        "25,26,26,26,26,26,26,26,27,27,27,27,27,27,27,27,27,28,28,28,28,28,28,28,28,28,28,28,28,28,28,29,29,29,29,29,29,29,29,29,29,29,29,29,29,29," +
        "29,29,29,30,30,30,30,30,30,30,30,30,30,30,30,30,30,30,30,30,30,30,30,30,30,30,30,30,30,30,31,31,31,31,31,31,31,31,31,31,31,31,31,31,31,31," +
        "31,31,31,31,31,31,31,31,31,31,31,31,31,31,31,31,31,31,31,31,31,31";

    [Test]
    public void TableMatchesTorchForUmt5Settings()
    {
        var expected = Torch32x128.Split(',').Select(long.Parse).ToArray();
        Assert.That(RelativePositionBuckets.Table(32, 128), Is.EqualTo(expected));
    }

    /// <summary>transformers' _relative_position_bucket (encoder, bidirectional) written with TorchSharp tensor ops.</summary>
    static long[] TorchBuckets(long length, int numBuckets, int maxDistance)
    {
        using var scope = torch.NewDisposeScope();
        var context = torch.arange(length, ScalarType.Int64).unsqueeze(1);
        var memory = torch.arange(length, ScalarType.Int64).unsqueeze(0);
        var rel = memory - context;
        int half = numBuckets / 2;
        var buckets = (rel > 0).to_type(ScalarType.Int64) * half;
        rel = rel.abs();
        int maxExact = half / 2;
        var isSmall = rel < maxExact;
        var logRatio = torch.log(rel.to_type(ScalarType.Float32) / maxExact) / Math.Log((double)maxDistance / maxExact);
        logRatio = logRatio * (half - maxExact);
        var large = torch.minimum(logRatio.to_type(ScalarType.Int64) + maxExact, torch.full_like(rel, half - 1));
        buckets = buckets + torch.where(isSmall, rel, large);
        return buckets.contiguous().data<long>().ToArray();
    }

    [TestCase(32, 128)]
    [TestCase(64, 256)]
    [TestCase(32, 64)]
    [TestCase(16, 20)]
    public void GraphBucketsMatchTorchFormula(int numBuckets, int maxDistance)
    {
        // The shared definition's bucket computation, run eagerly, for a length past max_distance (saturation) in both directions.
        long length = maxDistance + 40;
        using var scope = torch.NewDisposeScope();
        var ops = new FastVideo.Onnx.Export.Torch.TorchOps(null!, DType.Float32);
        var ours = RelativePositionBuckets.Forward(ops, torch.tensor(new[] { length }), numBuckets, maxDistance);
        Assert.That(ours.shape, Is.EqualTo(new[] { length, length }));
        Assert.That(ours.contiguous().data<long>().ToArray(), Is.EqualTo(TorchBuckets(length, numBuckets, maxDistance)));
    }
}
