using FastVideo.Onnx.Runtime.Tokenizers;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>The hand-written protobuf reading and the trainer_spec.bos_id rewrite of spiece.model.</summary>
public class TokenizerSentencePieceModelTests
{
    static string ModelPath => Path.Combine(Repo.TinyT2V, "tokenizer", "spiece.model");

    [Test]
    public void TinyModelReadsAsAT5UnigramModel()
    {
        var model = SentencePieceModelFile.Load(ModelPath);
        var tokenizerEosId = Reference.Int64("prompt_input_ids")[(int)Reference.Int64("prompt_attention_mask").Sum() - 1];
        Assert.That(model.ModelType, Is.EqualTo(SentencePieceModelType.Unigram));
        Assert.That(model.BosId, Is.EqualTo(-1), "T5 conventions: no bos (the value that trips Microsoft.ML.Tokenizers)");
        Assert.That(model.EosId, Is.EqualTo(tokenizerEosId), "trainer_spec eos = the eos the reference ends with");
        Assert.That(model.Pieces[model.EosId].Type, Is.EqualTo(SentencePieceType.Control));
        Assert.That(model.Pieces[model.UnkId].Type, Is.EqualTo(SentencePieceType.Unknown));
        Assert.That(model.Pieces.Max(p => p.Score), Is.LessThanOrEqualTo(0f), "unigram scores are log probabilities");
        foreach (long id in Reference.Int64("prompt_input_ids"))
            Assert.That(model.Contains((int)id), $"reference id {id} lies in the vocabulary");
    }

    [Test]
    public void BosRewriteChangesOnlyBosAndRoundTrips()
    {
        var model = SentencePieceModelFile.Load(ModelPath);
        byte[] rewritten = model.WithBosId(0);
        var reread = SentencePieceModelFile.Parse(rewritten, ModelPath);
        Assert.That(reread.BosId, Is.EqualTo(0));
        Assert.That((reread.UnkId, reread.EosId, reread.PadId, reread.ModelType), Is.EqualTo((model.UnkId, model.EosId, model.PadId, model.ModelType)));
        Assert.That(reread.Pieces, Is.EqualTo(model.Pieces), "vocabulary untouched");
        // -1 is a ten-byte varint and 0 a one-byte one: writing -1 back must restore the original bytes exactly.
        Assert.That(rewritten.Length, Is.LessThan(model.Bytes.Length));
        Assert.That(reread.WithBosId(-1), Is.EqualTo(model.Bytes.ToArray()));
    }
}
