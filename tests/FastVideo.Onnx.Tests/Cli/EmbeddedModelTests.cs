using FastVideo.Onnx.Cli.Commands;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary>
/// The built-in model's cache: keyed by the shipped files' content (and tool version), checked on every use, and
/// converted again with a notice when a file is missing or damaged (never ONNX Runtime's raw error).
/// </summary>
[NonParallelizable]
public class EmbeddedModelTests
{
    TempDir _cache = null!;
    string? _previous;

    [SetUp]
    public void UseATemporaryCache()
    {
        _cache = Repo.Temp();
        _previous = Environment.GetEnvironmentVariable("FASTVIDEO_ONNX_CACHE");
        Environment.SetEnvironmentVariable("FASTVIDEO_ONNX_CACHE", _cache.Path);
    }

    [TearDown]
    public void RestoreTheCache()
    {
        Environment.SetEnvironmentVariable("FASTVIDEO_ONNX_CACHE", _previous);
        _cache.Dispose();
    }

    [Test]
    public void TheKeyFollowsTheContent()
    {
        using var dir = Repo.Temp();
        string copy = ModelCopy.Of(Repo.TinyT2V, dir);
        string before = EmbeddedModel.CachedFolder(copy);
        Assert.That(EmbeddedModel.CachedFolder(copy), Is.EqualTo(before), "the same content, the same folder");
        ModelCopy.EditText(Path.Combine(copy, "transformer", "config.json"), "\"eps\": 1e-06", "\"eps\": 1e-05");
        Assert.That(EmbeddedModel.CachedFolder(copy), Is.Not.EqualTo(before), "a changed file, another folder");
        Assert.That(Path.GetFileName(before), Does.Contain(FastVideo.Onnx.Core.Models.ConvertedModel.ToolVersion));
    }

    [TestCase("transformer/model.onnx.data", true)]
    [TestCase("vae/decoder.onnx", false)]
    [TestCase("text_encoder/manifest.json", false)]
    public void ADamagedCacheIsConvertedAgainWithANotice(string file, bool truncate)
    {
        var notices = new List<string>();
        string folder = EmbeddedModel.Converted(Repo.TinyT2V, notices.Add, CancellationToken.None);
        Assert.That(EmbeddedModel.Problem(folder), Is.Null);
        Assert.That(EmbeddedModel.Converted(Repo.TinyT2V, notices.Add, CancellationToken.None), Is.EqualTo(folder));
        Assert.That(notices, Has.Count.EqualTo(1), "converted once, then reused: " + string.Join(" | ", notices));

        string damaged = Path.Combine(folder, file);
        if (truncate)
            using (var stream = new FileStream(damaged, FileMode.Open)) stream.SetLength(stream.Length / 2);
        else File.Delete(damaged);
        Assert.That(EmbeddedModel.Problem(folder), Does.Contain(Path.GetFileName(file)));

        Assert.That(EmbeddedModel.Converted(Repo.TinyT2V, notices.Add, CancellationToken.None), Is.EqualTo(folder));
        Assert.That(notices, Has.Count.EqualTo(2));
        Assert.That(notices[1], Does.Contain("damaged").And.Contain("converting it again").And.Contain(Path.GetFileName(file)));
        Assert.That(EmbeddedModel.Problem(folder), Is.Null, "the cache is whole again");
        var r = Support.Cli.Run("generate", "--model", folder, "--prompt", "a cat", "--steps", "1", "--device", "cpu",
            "--output", Path.Combine(_cache.Path, "out.safetensors"));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
    }
}
