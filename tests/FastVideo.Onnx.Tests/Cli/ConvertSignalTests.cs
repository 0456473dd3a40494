using System.Text.Json.Nodes;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary>
/// SIGINT and SIGTERM sent to a real <c>fastvideo-onnx convert</c> while it streams weights: the conversion is
/// cancelled (exit 130 and 143) and neither the output nor its temporary folder is left behind. Linux only.
/// </summary>
[Platform("Linux")]
public class ConvertSignalTests
{
    /// <summary>
    /// A model folder whose transformer has Wan2.1-1.3B's width and two blocks (random weights, about 200 MB in bf16):
    /// large enough that converting it takes a few seconds, so a signal sent at the first progress line arrives mid-way.
    /// </summary>
    static string WideModel(TempDir dir)
    {
        string configs = ModelCopy.Of(Path.Combine(Repo.Root, "models", "configs", "wan2.1-t2v-1.3b"), dir, "configs");
        string config = Path.Combine(configs, "transformer", "config.json");
        var json = JsonNode.Parse(File.ReadAllText(config))!;
        json["num_layers"] = 2;
        File.WriteAllText(config, json.ToJsonString());
        string model = dir["wide"];
        var made = Support.Cli.Run("bench", "random-model", "--config-dir", configs, "--output", model, "--components", "transformer");
        Assert.That(made.Code, Is.EqualTo(0), made.ToString());
        return model;
    }

    [TestCase(CliProcess.SIGINT, 130)]
    [TestCase(CliProcess.SIGTERM, 143)]
    public void SignalDuringConversionLeavesNothing(int signal, int expected)
    {
        using var dir = Repo.Temp();
        string model = WideModel(dir);
        string parent = dir["converted"];
        Directory.CreateDirectory(parent);
        string output = Path.Combine(parent, "out");

        using var cli = new CliProcess(new[] { "convert", model, "--output", output, "--components", "transformer" });
        Assert.That(cli.WaitForErr("transformer", TimeSpan.FromMinutes(2)), Is.True, cli.ToString());
        cli.Signal(signal);
        Assert.That(cli.WaitForExit(TimeSpan.FromSeconds(60)), Is.EqualTo(expected), cli.ToString());
        Assert.That(cli.Out, Does.Not.Contain("Converted"), "stopped before the end");
        Assert.That(Directory.GetFileSystemEntries(parent), Is.Empty, "no output and no temporary folder");
    }
}
