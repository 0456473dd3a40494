using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Tokenizers;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>The T5/UMT5 prompt tokenizer against the ids and mask that transformers' T5 tokenizer gave Diffusers' WanPipeline.</summary>
public class TokenizerT5PromptTests
{
    static readonly Lazy<JsonObject> Settings = new(() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Fixtures, "reference.json")))!);

    static string Prompt => (string)Settings.Value["prompt"]!;
    static string NegativePrompt => (string)Settings.Value["negative_prompt"]!;
    static int MaxSequenceLength => (int)Settings.Value["max_sequence_length"]!;

    static string TokenizerFolder(string model) => Path.Combine(model == "t2v" ? Repo.TinyT2V : Repo.TinyI2V, "tokenizer");

    static readonly Lazy<T5PromptTokenizer> T2V = new(() => T5PromptTokenizer.FromFolder(TokenizerFolder("t2v")));

    /// <summary>
    /// The reference ids: the fixture prompt is longer than max_sequence_length, so transformers kept its first
    /// max_length - 1 SentencePiece ids and put eos last; the mask is all ones.
    /// </summary>
    static long[] ReferenceIds => Reference.Int64("prompt_input_ids");

    /// <summary>The SentencePiece ids of the prompt that the reference kept (all but its closing eos).</summary>
    static long[] ReferencePieceIds => ReferenceIds[..^1];

    [TestCase("t2v")]
    [TestCase("i2v")]
    public void PromptIdsAndMaskEqualDiffusers(string model)
    {
        var tokenizer = T5PromptTokenizer.FromFolder(TokenizerFolder(model));
        var (ids, mask, length) = tokenizer.Encode(Prompt, MaxSequenceLength);

        var expectedIds = Reference.Get("prompt_input_ids");
        var expectedMask = Reference.Get("prompt_attention_mask");
        Assert.That(new long[] { 1, ids.Length }, Is.EqualTo(expectedIds.Shape));
        Assert.That(ids, Is.EqualTo(expectedIds.AsInt64), "input ids");
        Assert.That(mask, Is.EqualTo(expectedMask.AsInt64), "attention mask");
        Assert.That(length, Is.EqualTo(expectedMask.AsInt64.Sum()), "length = real tokens");
        TestContext.Out.WriteLine($"{model}: {length} real tokens of {ids.Length}, ids equal the reference exactly");
    }

    [Test]
    public void ReferenceWasTruncatedWithEosKeptLast()
    {
        var tokenizer = T2V.Value;
        Assert.That(Reference.Int64("prompt_attention_mask"), Is.All.EqualTo(1L), "no padding: the prompt filled max_length");
        Assert.That(ReferenceIds[^1], Is.EqualTo(tokenizer.EosId));
        Assert.That(ReferencePieceIds, Does.Not.Contain((long)tokenizer.EosId), "eos appears only at the end");
        Assert.That(tokenizer.EncodeToIds(Prompt).Length, Is.GreaterThan(MaxSequenceLength - 1), "the untruncated prompt is longer");
    }

    [Test]
    public void ShorterMaxLengthKeepsEosLastAndThePrefixOfTheReference()
    {
        var tokenizer = T2V.Value;
        for (int maxLength = 1; maxLength <= MaxSequenceLength; maxLength++)
        {
            var (ids, mask, length) = tokenizer.Encode(Prompt, maxLength);
            Assert.That(length, Is.EqualTo(maxLength), $"max_length {maxLength}: every slot is a real token");
            Assert.That(ids[..^1], Is.EqualTo(ReferencePieceIds[..(maxLength - 1)]), $"max_length {maxLength}: prefix of the reference ids");
            Assert.That(ids[^1], Is.EqualTo(tokenizer.EosId), $"max_length {maxLength}: eos kept last");
            Assert.That(mask, Is.All.EqualTo(1L));
        }
    }

    [Test]
    public void LongerMaxLengthExtendsTheReferenceThenPads()
    {
        var tokenizer = T2V.Value;
        int pieces = tokenizer.EncodeToIds(Prompt).Length;
        int maxLength = pieces + 1 + 9;
        var (ids, mask, length) = tokenizer.Encode(Prompt, maxLength);
        Assert.That(length, Is.EqualTo(pieces + 1), "every SentencePiece id, then eos");
        Assert.That(ids[..ReferencePieceIds.Length], Is.EqualTo(ReferencePieceIds), "the reference's ids come first");
        Assert.That(ids[length - 1], Is.EqualTo(tokenizer.EosId));
        Assert.That(ids[length..], Is.All.EqualTo((long)tokenizer.PadId));
        Assert.That(mask[..length], Is.All.EqualTo(1L));
        Assert.That(mask[length..], Is.All.EqualTo(0L));
        Assert.That(tokenizer.PadId, Is.Not.EqualTo(tokenizer.EosId));
    }

    [Test]
    public void CleaningWhitespaceAndHtmlGivesTheCleanPromptsIds()
    {
        var expected = Reference.Int64("prompt_input_ids");
        // The same words with Diffusers' prompt_clean work to do: runs of (Unicode) whitespace, entities escaped
        // once and twice (&amp;#32; -> &#32; -> ' '), leading and trailing space.
        string messy = "\n\t  " + Prompt.Replace(" red ", " \u00A0red&#32;\t")
                                        .Replace(" snow ", "&amp;#32;snow \u3000\u001F ")
                                        .Replace(",", "&#44;") + "  \r\n";
        Assert.That(DiffusersPromptCleaner.Clean(Prompt), Is.EqualTo(Prompt), "the fixture prompt is already clean");
        Assert.That(DiffusersPromptCleaner.Clean(messy), Is.EqualTo(Prompt));
        Assert.That(T2V.Value.Encode(messy, MaxSequenceLength).InputIds, Is.EqualTo(expected));
    }

    [Test]
    public void CleaningCanBeTurnedOff()
    {
        var tokenizer = T2V.Value;
        string padded = "  " + Prompt + "   ";
        Assert.That(tokenizer.Encode(padded, MaxSequenceLength, clean: false).InputIds,
            Is.EqualTo(tokenizer.EncodeToIds(padded).Take(MaxSequenceLength - 1).Select(i => (long)i).Append(tokenizer.EosId)));
        Assert.That(tokenizer.Encode(padded, MaxSequenceLength).InputIds, Is.EqualTo(Reference.Int64("prompt_input_ids")));
    }

    [Test]
    public void EncodeToIdsIsTheSentencePieceIdsWithoutEos()
    {
        var ids = T2V.Value.EncodeToIds(Prompt);
        Assert.That(ids.Take(ReferencePieceIds.Length).Select(i => (long)i), Is.EqualTo(ReferencePieceIds));
        Assert.That(ids, Does.Not.Contain(T2V.Value.EosId));
    }

    [Test]
    public void BatchRowsEqualSingleEncodings()
    {
        var tokenizer = T2V.Value;
        var batch = tokenizer.EncodeBatch([Prompt, NegativePrompt, ""], MaxSequenceLength);
        Assert.That(batch.Shape, Is.EqualTo(new long[] { 3, MaxSequenceLength }));
        Assert.That(batch.InputIds, Has.Length.EqualTo(3 * MaxSequenceLength));
        Assert.That(batch[0].InputIds, Is.EqualTo(Reference.Int64("prompt_input_ids")));
        Assert.That(batch[0].AttentionMask, Is.EqualTo(Reference.Int64("prompt_attention_mask")));
        for (int row = 0; row < 3; row++)
        {
            var single = tokenizer.Encode(row switch { 0 => Prompt, 1 => NegativePrompt, _ => "" }, MaxSequenceLength);
            Assert.That(batch[row].InputIds, Is.EqualTo(single.InputIds), $"row {row} ids");
            Assert.That(batch[row].AttentionMask, Is.EqualTo(single.AttentionMask), $"row {row} mask");
            Assert.That(batch.Lengths[row], Is.EqualTo(single.Length), $"row {row} length");
        }
        Assert.That(batch.Lengths[1], Is.GreaterThan(1).And.LessThan(MaxSequenceLength), "negative prompt: real tokens then padding");
        Assert.That(batch[1].InputIds[batch.Lengths[1]..], Is.All.EqualTo((long)tokenizer.PadId));
    }

    [Test]
    public void EmptyPromptIsEosThenPadding()
    {
        // Rejecting empty prompts is the pipeline's call; the tokenizer gives what transformers gives: [eos, pad, ...].
        var tokenizer = T2V.Value;
        var (ids, mask, length) = tokenizer.Encode("   ", 6);
        Assert.That(length, Is.EqualTo(1));
        Assert.That(ids[0], Is.EqualTo(tokenizer.EosId));
        Assert.That(ids[1..], Is.All.EqualTo((long)tokenizer.PadId));
        Assert.That(mask, Is.EqualTo(new long[] { 1, 0, 0, 0, 0, 0 }));
    }

    [Test]
    public void RunsOfUnknownCharactersBecomeOneUnk()
    {
        // SentencePiece (and transformers' fused Unigram) emit one unk per run of out-of-vocabulary characters.
        var tokenizer = T2V.Value;
        var ids = tokenizer.EncodeToIds("fox \u65E5\u672C\u8A9E\u306E fox");
        Assert.That(ids, Does.Contain(tokenizer.UnkId), "the tiny vocabulary has no CJK pieces");
        for (int i = 1; i < ids.Length; i++)
            Assert.That(ids[i] == tokenizer.UnkId && ids[i - 1] == tokenizer.UnkId, Is.False, $"adjacent unk ids at {i}: {string.Join(",", ids)}");
        var fox = tokenizer.EncodeToIds("fox");
        Assert.That(ids[..fox.Length], Is.EqualTo(fox), "text around the unknown run is tokenized as usual");
    }

    [Test]
    public void MaxLengthBelowOneIsRefused()
    {
        var e = Assert.Throws<InvalidRequestException>(() => T2V.Value.Encode(Prompt, 0))!;
        Assert.That(e.Message, Does.Contain("max_sequence_length"));
    }
}
