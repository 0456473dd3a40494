using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Tokenizers;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>Tokenizer folders that cannot be used: one-line errors naming the file and the problem.</summary>
public class TokenizerFolderErrorTests
{
    static string TinyTokenizer => Path.Combine(Repo.TinyT2V, "tokenizer");

    static void AssertOneLine(FastVideoException e, string path)
    {
        TestContext.Out.WriteLine(e.Message);
        Assert.That(e.Message, Does.Contain(path));
        Assert.That(e.Message, Does.Not.Contain('\n'));
    }

    [Test]
    public void FolderWithOnlyTokenizerJsonSaysItIsNotSupportedYet()
    {
        using var dir = Repo.Temp();
        File.Copy(Path.Combine(TinyTokenizer, "tokenizer.json"), dir["tokenizer.json"]);
        File.Copy(Path.Combine(TinyTokenizer, "tokenizer_config.json"), dir["tokenizer_config.json"]);
        var e = Assert.Throws<ModelFormatException>(() => T5PromptTokenizer.FromFolder(dir.Path))!;
        AssertOneLine(e, dir["spiece.model"]);
        Assert.That(e.Message, Does.Contain("tokenizer.json-only").And.Contain("not supported yet"));
    }

    [Test]
    public void EmptyFolderNamesTheMissingModel()
    {
        using var dir = Repo.Temp();
        var e = Assert.Throws<ModelFormatException>(() => T5PromptTokenizer.FromFolder(dir.Path))!;
        AssertOneLine(e, dir["spiece.model"]);
        Assert.That(e.Message, Does.Contain("missing"));
    }

    [Test]
    public void MissingFolderIsNamed()
    {
        using var dir = Repo.Temp();
        string missing = dir["no-such-tokenizer"];
        var e = Assert.Throws<ModelFormatException>(() => T5PromptTokenizer.FromFolder(missing))!;
        AssertOneLine(e, missing);
    }

    static IEnumerable<TestCaseData> CorruptModels()
    {
        yield return new TestCaseData(new Func<byte[]>(() =>
        {
            var bytes = new byte[4096];
            new Random(1234).NextBytes(bytes);
            return bytes;
        })).SetName("RandomBytes");
        yield return new TestCaseData(new Func<byte[]>(() => "this is not a sentencepiece model\nbut a text file\n"u8.ToArray())).SetName("TextFile");
        yield return new TestCaseData(new Func<byte[]>(() => File.ReadAllBytes(Path.Combine(TinyTokenizer, "tokenizer.json")))).SetName("JsonRenamed");
        yield return new TestCaseData(new Func<byte[]>(() =>
        {
            var bytes = File.ReadAllBytes(Path.Combine(TinyTokenizer, "spiece.model"));
            return bytes[..(bytes.Length / 2)];
        })).SetName("TruncatedModel");
        yield return new TestCaseData(new Func<byte[]>(() => [])).SetName("EmptyFile");
    }

    [TestCaseSource(nameof(CorruptModels))]
    public void CorruptModelIsAOneLineModelFormatError(Func<byte[]> content)
    {
        using var dir = Repo.Temp();
        File.WriteAllBytes(dir["spiece.model"], content());
        File.Copy(Path.Combine(TinyTokenizer, "tokenizer_config.json"), dir["tokenizer_config.json"]);
        var e = Assert.Throws<ModelFormatException>(() => T5PromptTokenizer.FromFolder(dir.Path))!;
        AssertOneLine(e, dir["spiece.model"]);
        Assert.That(e.Message, Does.Contain("not a SentencePiece model"));
    }

    [Test]
    public void SpecialTokenOutsideTheVocabularyIsNamed()
    {
        using var dir = Repo.Temp();
        File.Copy(Path.Combine(TinyTokenizer, "spiece.model"), dir["spiece.model"]);
        File.WriteAllText(dir["tokenizer_config.json"], """{"eos_token": "<no-such-token>", "pad_token": "<pad>", "unk_token": "<unk>"}""");
        var e = Assert.Throws<ModelFormatException>(() => T5PromptTokenizer.FromFolder(dir.Path))!;
        AssertOneLine(e, dir["tokenizer_config.json"]);
        Assert.That(e.Message, Does.Contain("<no-such-token>"));
    }

    [Test]
    public void FolderWithOnlySpieceModelUsesItsOwnIds()
    {
        // No tokenizer_config.json / tokenizer.json: the ids come from the SentencePiece pieces themselves.
        using var dir = Repo.Temp();
        File.Copy(Path.Combine(TinyTokenizer, "spiece.model"), dir["spiece.model"]);
        var bare = T5PromptTokenizer.FromFolder(dir.Path);
        var full = T5PromptTokenizer.FromFolder(TinyTokenizer);
        Assert.That((bare.PadId, bare.EosId, bare.UnkId), Is.EqualTo((full.PadId, full.EosId, full.UnkId)));
        Assert.That(bare.Encode("A red fox", 12).InputIds, Is.EqualTo(full.Encode("A red fox", 12).InputIds));
    }
}
