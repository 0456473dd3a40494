using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Repository;

/// <summary>The tracked files stay small enough to travel beside the GPU machine's runtime parts.</summary>
public class RepositorySizeTests
{
    [Test]
    public void TrackedFilesStayUnderTheLimit()
    {
        if (!Git.IsCheckout) Assert.Ignore("not a git checkout: nothing is tracked");
        var files = Git.TrackedFiles()
            .Select(p => (Path: p, Full: Path.Combine(Repo.Root, p)))
            .Where(f => File.Exists(f.Full))   // deleted in the work tree but not yet in the index: no longer carried
            .Select(f => (f.Path, new FileInfo(f.Full).Length));
        string? problem = RepositorySize.Check(files, RepositorySize.LimitBytes);
        Assert.That(problem, Is.Null, problem);
    }

    [Test]
    public void OverTheLimitNamesTheTotalAndTheLargestFiles()
    {
        var files = new[] { ("docs/a.md", 10L), ("tests/fixtures/big.safetensors", 700L), ("models/mid.json", 300L) };
        Assert.That(RepositorySize.Check(files, 1010), Is.Null, "exactly at the limit is within it");
        string? problem = RepositorySize.Check(files, 1000, show: 2);
        Assert.That(problem, Does.Contain("1,010 bytes").And.Contain("1,000-byte limit"));
        var lines = problem!.Split('\n');
        Assert.That(lines[1], Does.EndWith("tests/fixtures/big.safetensors"), "largest first");
        Assert.That(lines[2], Does.EndWith("models/mid.json"));
        Assert.That(problem, Does.Not.Contain("docs/a.md"), "only the largest are listed");
    }
}
