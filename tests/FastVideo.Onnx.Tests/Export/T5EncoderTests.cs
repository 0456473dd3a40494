using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Onnx;
using FastVideo.Onnx.Export.T5;
using FastVideo.Onnx.Export.Umt5;
using FastVideo.Onnx.Runtime.Tokenizers;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// LTX-Video's T5 v1.1 text encoder (one relative position bias, in block 0, shared by all blocks) against
/// transformers' T5EncoderModel through LTXPipeline.encode_prompt, eagerly and as an ONNX graph on the CPU provider.
/// LTXPipeline runs the encoder without its attention mask (padding tokens attend and are attended to) and does not
/// trim the embeddings, so the encoder is given a mask of ones and every position, padding included, is compared.
/// </summary>
public class T5EncoderTests
{
    static T5EncoderModel Model() => new(Umt5Config.FromJson(JsonConfig.Load(Path.Combine(LtxFixture.TextEncoder, "config.json"))));

    /// <summary>(ids, mask, expected embeddings): the positive prompt's ids from the fixture, the negative's from the runtime tokenizer.</summary>
    static (long[] Ids, long[] Mask, RefTensor Expected) Prompt(string which)
    {
        var ones = Enumerable.Repeat(1L, LtxFixture.MaxSequenceLength).ToArray();
        if (which == "positive")
            return (LtxFixture.Int64("prompt_input_ids"), ones, LtxFixture.Get("prompt_embeds"));
        var tokens = T5PromptTokenizer.FromFolder(LtxFixture.Tokenizer)
            .Encode(LtxFixture.Setting("negative_prompt").GetString()!, LtxFixture.MaxSequenceLength, clean: false);
        Assert.That(tokens.AttentionMask, Is.EqualTo(LtxFixture.Int64("negative_prompt_attention_mask")), "negative prompt mask");
        Assert.That(tokens.AttentionMask, Does.Contain(0L), "the negative prompt is padded");
        return (tokens.InputIds, ones, LtxFixture.Get("negative_prompt_embeds"));
    }

    [Test]
    public void RuntimeTokenizerReproducesPromptIds()
    {
        // LTXPipeline tokenizes the prompt as given (no Wan-style cleaning)
        var tokens = T5PromptTokenizer.FromFolder(LtxFixture.Tokenizer)
            .Encode(LtxFixture.Setting("prompt").GetString()!, LtxFixture.MaxSequenceLength, clean: false);
        Assert.That(tokens.InputIds, Is.EqualTo(LtxFixture.Int64("prompt_input_ids")));
        Assert.That(tokens.AttentionMask, Is.EqualTo(LtxFixture.Int64("prompt_attention_mask")));
    }

    [Test]
    public void OnlyTheFirstBlockOwnsAPositionBiasTable()
    {
        var model = Model();
        Assert.That(model.Blocks.Items.Select(b => b.SelfAttention.RelativeAttentionBias is not null), Is.EqualTo(new[] { true, false }));
        using var archive = WeightArchive.Open(LtxFixture.TextEncoder);
        Assert.DoesNotThrow(() => model.CheckWeights(archive));
        // the same checkpoint read as UMT5 lacks block 1's table: the strict loader names it
        var umt5 = new Umt5EncoderModel(model.Config);
        var e = Assert.Throws<ModelFormatException>(() => umt5.CheckWeights(archive))!;
        Assert.That(e.Message, Does.Contain("encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight"));
    }

    [TestCase("positive")]
    [TestCase("negative")]
    public void EagerFloat32MatchesPromptEmbeddings(string which)
    {
        var model = Model();
        using var archive = WeightArchive.Open(LtxFixture.TextEncoder);
        model.CheckWeights(archive);
        var (ids, mask, expected) = Prompt(which);
        var (data, shape) = Umt5Fixture.Eager(model, archive, DType.Float32, ids, mask, new long[] { 1, ids.Length });
        Compare.Close(data, shape, expected, 1e-4, $"eager fp32 t5 {which} prompt");
    }

    [Test]
    public void OnnxFloat32MatchesPromptEmbeddings()
    {
        var model = Model();
        using var archive = WeightArchive.Open(LtxFixture.TextEncoder);
        model.CheckWeights(archive);
        using var dir = Repo.Temp();
        string path = dir["text_encoder.onnx"];
        new OnnxModelWriter().Write(Umt5EncoderGraph.Build(model, DType.Float32), new CheckpointWeights(archive), path, "t5_encoder");
        foreach (var which in new[] { "positive", "negative" })
        {
            var (ids, mask, expected) = Prompt(which);
            long[] shape = { 1, ids.Length };
            var (data, outShape) = OrtTypedRunner.Run(path,
                OrtInput.Int64(Umt5EncoderGraph.InputIds, ids, shape),
                OrtInput.Int64(Umt5EncoderGraph.AttentionMask, mask, shape))[Umt5EncoderGraph.LastHiddenState];
            Compare.Close(data, outShape, expected, 1e-4, $"onnx fp32 t5 {which} prompt");
        }
    }

    [Test]
    public void ExporterIsRegisteredForT5EncoderModel()
    {
        var entry = new ComponentEntry("text_encoder", "transformers", "T5EncoderModel");
        using var prepared = new T5EncoderExporter().Prepare(new ComponentSource(entry, LtxFixture.TextEncoder, ModelIndex.Load(LtxFixture.Model), DType.Float32));
        Assert.That(prepared.ClassName, Is.EqualTo("T5EncoderModel"));
        using var dir = Repo.Temp();
        var manifest = prepared.Write(dir.Path, new Progress<long>(), CancellationToken.None);
        Assert.That(manifest.Graphs[0].Inputs.Select(i => i.Name), Is.EqualTo(new[] { "input_ids", "attention_mask" }));
    }
}
