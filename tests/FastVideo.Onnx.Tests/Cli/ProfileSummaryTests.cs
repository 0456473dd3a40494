using FastVideo.Onnx.Cli.Benchmarks;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary>
/// The profile summary of <c>bench run --profile</c> on traces written here in ONNX Runtime's format: the first run's
/// nodes (first-use work) stay out of the averages, and a profile still empty (a session still open) is skipped, not fatal.
/// </summary>
public class ProfileSummaryTests
{
    static string Event(string cat, string name, double ts, double dur, string? op = null) =>
        $"{{\"cat\":\"{cat}\",\"name\":\"{name}\",\"ts\":{ts},\"dur\":{dur}{(op is null ? "" : $",\"args\":{{\"op_name\":\"{op}\"}}")}}}";

    /// <summary>Two runs: the first 3 ms of Conv (a search), the second 1 ms of Conv and 0.5 ms of Add.</summary>
    static string TwoRuns() => "[" + string.Join(",",
        Event("Session", "model_run", 100, 4000),
        Event("Node", "conv_kernel_time", 200, 3000, "Conv"),
        Event("Session", "model_run", 5000, 2000),
        Event("Node", "conv_kernel_time", 5100, 1000, "Conv"),
        Event("Node", "add_kernel_time", 6200, 500, "Add"),
        Event("Node", "add_fence_before", 6100, 10, "Add")) + "]";

    [Test]
    public void TheFirstRunStaysOutOfTheOperatorAverages()
    {
        using var dir = Repo.Temp();
        string path = dir["p/vae_1.json"];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, TwoRuns());
        var summary = ProfileSummary.Read(path);
        Assert.That(summary.RunMs, Is.EqualTo(new[] { 4.0, 2.0 }));
        Assert.That(summary.Operators, Is.EqualTo(new[] { ("Conv", 1.0, 1.0), ("Add", 0.5, 1.0) }));
    }

    [Test]
    public void AnEmptyProfileIsNamedAndSkipped()
    {
        using var dir = Repo.Temp();
        string folder = dir["profiles"];
        Directory.CreateDirectory(folder);
        var output = new StringWriter();
        ProfileSummary.PrintNew(Path.Combine(folder, "vae"), () =>
        {
            File.WriteAllText(Path.Combine(folder, "vae_a.json"), TwoRuns());
            File.WriteAllText(Path.Combine(folder, "vae_b.json"), "");
        }, output);
        string text = output.ToString();
        Assert.That(text, Does.Contain("vae_a.json: 2 run(s), ms each: 4.0, 2.0"));
        Assert.That(text, Does.Match(@"(?m)^\| Conv \| 1\.0 \| 1 \|"));
        Assert.That(text, Does.Contain("vae_b.json: empty (its session is still open), not summarised"));
    }
}
