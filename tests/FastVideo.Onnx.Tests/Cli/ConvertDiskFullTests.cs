using System.Diagnostics;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary>
/// A conversion that runs out of disk leaves nothing half-written: the output folder is converted into a 2 MiB tmpfs
/// that the Wan2.2 TI2V tiny model (3.1 MiB converted) does not fit, and convert must fail with one line naming the
/// file it was writing, leaving neither the output nor its temporary folder.
/// </summary>
[Explicit("mounts a tmpfs: needs root (mount -t tmpfs); select it by name")]
public class ConvertDiskFullTests
{
    static int Sh(string command)
    {
        using var p = Process.Start(new ProcessStartInfo("sh", new[] { "-c", command }) { RedirectStandardError = true })!;
        p.WaitForExit();
        return p.ExitCode;
    }

    [Test]
    public void ConversionThatRunsOutOfDiskLeavesNothing()
    {
        using var dir = Repo.Temp();
        string small = dir["small"];
        Directory.CreateDirectory(small);
        if (Sh($"mount -t tmpfs -o size=2m tmpfs '{small}'") != 0) Assert.Ignore("cannot mount a tmpfs here (needs root)");
        try
        {
            string output = Path.Combine(small, "out");
            var r = Support.Cli.Run("convert", Wan22Fixture.Ti2v, "--output", output);
            Assert.That(r.Code, Is.EqualTo(1), r.ToString());
            // stderr holds the progress lines, then the error
            var errors = r.Err.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
            Assert.That(errors, Has.Count.EqualTo(1), r.Err);
            string line = errors[0];
            Assert.That(r.Err.Trim().Split('\n')[^1], Is.EqualTo(line), "the error is the last line");
            Assert.That(line, Does.StartWith("error: ").And.Contain("No space left on device").And.Contain(small));
            Assert.That(Directory.EnumerateFileSystemEntries(small), Is.Empty, "neither the output nor a partial folder is left");
        }
        finally
        {
            Sh($"umount '{small}'");
        }
    }
}
