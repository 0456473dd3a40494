using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Repository;

/// <summary>
/// The fixture files stored once (tests/fixtures/shared/copies.txt): every copy is laid out by the build as a plain file
/// equal to its source, the source is tracked, and the copy is neither tracked nor committable (git-ignored).
/// </summary>
public class FixtureCopiesTests
{
    static IReadOnlyList<FixtureCopy> Copies => FixtureCopies.Load();

    [Test]
    public void EveryCopyIsLaidOutAsAPlainFileEqualToItsSource()
    {
        Assert.That(Copies, Is.Not.Empty);
        foreach (var (copy, source) in Copies)
        {
            var file = new FileInfo(Path.Combine(Repo.Root, copy));
            Assert.That(file.Exists, Is.True, $"{copy} is missing: build tests/FastVideo.Onnx.Tests or run build/fixture-copies.sh");
            Assert.That(file.LinkTarget, Is.Null, $"{copy} is a link; the runtime reads regular files only");
            Assert.That(File.ReadAllBytes(file.FullName), Is.EqualTo(File.ReadAllBytes(Path.Combine(Repo.Root, source))), $"{copy} differs from {source}");
        }
    }

    [Test]
    public void SourcesAreTrackedAndCopiesAreIgnored()
    {
        if (!Git.IsCheckout) Assert.Ignore("not a git checkout");
        var tracked = Git.TrackedFiles().ToHashSet();
        foreach (var (copy, source) in Copies)
        {
            Assert.That(tracked, Does.Contain(source), $"{FixtureCopies.Manifest}: the source {source} of {copy} is not tracked");
            Assert.That(tracked, Does.Not.Contain(copy), $"{copy} is tracked although it is a copy of {source}: git rm --cached it");
            Assert.That(Git.ExitCode("check-ignore", "-q", "--no-index", copy), Is.EqualTo(0), $"{copy} is not git-ignored: add /{copy} to .gitignore");
        }
        Assert.That(Copies.Select(c => c.Copy), Is.Unique, "a copy listed twice");
        Assert.That(Copies.Select(c => c.Source).Intersect(Copies.Select(c => c.Copy)), Is.Empty, "a copy used as a source: name the tracked file instead");
    }

    [Test]
    public void AMalformedLineIsRejectedWithItsFileAndLine()
    {
        var ok = FixtureCopies.Parse(new[] { "# comment", "", "  a/copy.bin <- b/source.bin  " }, "copies.txt");
        Assert.That(ok, Is.EqualTo(new[] { new FixtureCopy("a/copy.bin", "b/source.bin") }));
        var ex = Assert.Throws<FormatException>(() => FixtureCopies.Parse(new[] { "# comment", "a/copy.bin b/source.bin" }, "copies.txt"));
        Assert.That(ex!.Message, Is.EqualTo("copies.txt:2: 'a/copy.bin b/source.bin' is not 'COPY <- SOURCE'"));
    }
}
