using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary>
/// convert never deletes or replaces what it reads: an output that is, contains or is inside the source (after
/// following links) is refused before anything is removed; leftovers of interrupted runs are removed by a later run,
/// except those a running conversion still holds.
/// </summary>
public class ConvertOutputSafetyTests
{
    static readonly string[] Few = { "--components", "scheduler,tokenizer" };

    static string[] Convert(string source, string output, params string[] extra) =>
        new[] { "convert", source, "--output", output }.Concat(Few).Concat(extra).ToArray();

    static string[] Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal).ToArray();

    static void AssertRefusedAndIntact(Support.Cli.Result r, string model, string[] before)
    {
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Assert.That(r.Err.Trim().Split('\n'), Has.Length.EqualTo(1), r.Err);
        Assert.That(r.Err, Does.Contain("--output").And.Contain("overlaps the model folder"));
        Assert.That(Directory.Exists(model), Is.True, "the source survives");
        Assert.That(Snapshot(model), Is.EqualTo(before), "the source is untouched");
    }

    [Test]
    public void ForcedOutputThatContainsTheSourceIsRefused()
    {
        using var dir = Repo.Temp();
        string parent = dir["par"];
        string model = ModelCopy.Of(Repo.TinyT2V, dir, Path.Combine("par", "model"));
        var before = Snapshot(model);
        var r = Support.Cli.Run(Convert(model, parent, "--force"));
        AssertRefusedAndIntact(r, model, before);
    }

    [Test]
    public void ForcedOutputThatIsTheSourceIsRefused()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        var before = Snapshot(model);
        AssertRefusedAndIntact(Support.Cli.Run(Convert(model, model + Path.DirectorySeparatorChar, "--force")), model, before);
    }

    [Test]
    public void OutputReachingTheSourceThroughALinkIsRefused()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir, Path.Combine("par", "model"));
        var before = Snapshot(model);
        Directory.CreateSymbolicLink(dir["link-to-model"], model);
        Directory.CreateSymbolicLink(dir["link-to-parent"], dir["par"]);
        AssertRefusedAndIntact(Support.Cli.Run(Convert(model, dir["link-to-model"], "--force")), model, before);
        AssertRefusedAndIntact(Support.Cli.Run(Convert(model, dir["link-to-parent"], "--force")), model, before);
        // The source given through a link, the output its real parent.
        AssertRefusedAndIntact(Support.Cli.Run(Convert(Path.Combine(dir["link-to-parent"], "model"), dir["par"], "--force")), model, before);
    }

    [Test]
    public void LeftoversOfInterruptedRunsAreRemoved()
    {
        using var dir = Repo.Temp();
        string output = dir["out"];
        // As a killed convert leaves them: a temporary folder with its (no longer held) lock, a swapped-out old output.
        string partial = dir[".out.partial-deadbeef"];
        Directory.CreateDirectory(Path.Combine(partial, "transformer"));
        File.WriteAllText(Path.Combine(partial, "transformer", "model.onnx.data"), "half written");
        File.WriteAllText(Path.Combine(partial, WorkFolder.LockFileName), "");
        string old = dir["out.old-deadbeef"];
        Directory.CreateDirectory(old);
        File.WriteAllText(Path.Combine(old, "model_index.json"), "{}");
        // Another output's leftovers are not this run's to remove.
        string other = dir[".other.partial-deadbeef"];
        Directory.CreateDirectory(other);

        var r = Support.Cli.Run(Convert(Repo.TinyT2V, output));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(Directory.Exists(partial), Is.False, "stale temporary folder removed");
        Assert.That(Directory.Exists(old), Is.False, "stale old output removed");
        Assert.That(Directory.Exists(other), Is.True, "another output's folder kept");
        Assert.That(File.Exists(Path.Combine(output, WorkFolder.LockFileName)), Is.False, "the output carries no lock file");
    }

    [Test]
    public void TemporaryFolderOfARunningConversionIsKept()
    {
        using var dir = Repo.Temp();
        using var running = WorkFolder.Create(dir[".out.partial-0123abcd"]);
        File.WriteAllText(Path.Combine(running.Path, "model_index.json"), "{}");

        var r = Support.Cli.Run(Convert(Repo.TinyT2V, dir["out"]));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(File.Exists(Path.Combine(running.Path, "model_index.json")), Is.True, "a held temporary folder is not removed");
        running.Delete();
        Assert.That(Directory.Exists(running.Path), Is.False);
    }

    [Test]
    public void CancellationWhileWritingLeavesNothing()
    {
        using var dir = Repo.Temp();
        using var cancel = new CancellationTokenSource();
        var progress = new FastVideo.Onnx.Core.Progress.CallbackProgress<ConversionProgress>(p =>
        {
            if (p.Bytes > 0) cancel.Cancel();
        });
        var request = new ConversionRequest(Repo.TinyT2V, dir["out"]) { Components = new[] { "transformer", "vae" } };
        Assert.Throws(Is.InstanceOf<OperationCanceledException>(), () => new ModelConverter().Convert(request, progress, cancel.Token));
        Assert.That(Directory.GetFileSystemEntries(dir.Path), Is.Empty, "no output, no temporary folder");
    }

    [Test]
    public void ForceStillReplacesTheWholeFolder()
    {
        using var dir = Repo.Temp();
        string output = dir["out"];
        Assert.That(Support.Cli.Run("convert", Repo.TinyT2V, "--output", output, "--components", "scheduler,tokenizer,transformer").Code, Is.EqualTo(0));
        var r = Support.Cli.Run("convert", Repo.TinyT2V, "--output", output, "--components", "scheduler", "--force");
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(ConvertedModel.Load(output).Components.Keys, Is.EqualTo(new[] { "scheduler" }));
        Assert.That(Directory.Exists(Path.Combine(output, "transformer")), Is.False);
        Assert.That(Directory.GetDirectories(dir.Path).Select(Path.GetFileName), Is.EqualTo(new[] { "out" }), "no old or partial folder left");
    }
}
