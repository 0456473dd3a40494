using System.Runtime.Versioning;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary>
/// SIGINT and SIGTERM sent to a real fastvideo-onnx process: the run is cancelled (exit 130 and 143), nothing is left in
/// the output folder, and no child process outlives it. Linux only (signals and /proc).
/// </summary>
[Platform("Linux")]
[SupportedOSPlatform("linux")]
public class GenerateSignalTests
{
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    // A long run (many steps at the tiny size) that a signal reaches inside the denoising loop.
    static List<string> Args(string output, int steps) => new()
    {
        "generate", "--model", ConvertedModels.TextToVideo, "--prompt", FixtureSettings.Prompt, "--height", FixtureSettings.Height.ToString(),
        "--width", FixtureSettings.Width.ToString(), "--num-frames", FixtureSettings.NumFrames.ToString(), "--steps", steps.ToString(),
        "--seed", "1", "--device", "cpu", "--output", output,
    };

    static string OutFolder(TempDir dir)
    {
        string folder = dir["out"];
        Directory.CreateDirectory(folder);
        return folder;
    }

    [TestCase(CliProcess.SIGINT, 130)]
    [TestCase(CliProcess.SIGTERM, 143)]
    public void SignalDuringDenoisingCancels(int signal, int expected)
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        using var cli = new CliProcess(Args(Path.Combine(outFolder, "video.safetensors"), steps: 5000));
        Assert.That(cli.WaitForErr("step 1/5000", Patience), Is.True, cli.ToString());
        cli.Signal(signal);
        Assert.That(cli.WaitForExit(TimeSpan.FromSeconds(30)), Is.EqualTo(expected), cli.ToString());
        Assert.That(cli.Err, Does.Not.Contain("step 5000/5000"), "stopped before the end");
        Assert.That(cli.Err.TrimEnd().Split('\n')[^1], Does.Contain("cancelled"));
        Assert.That(Directory.GetFileSystemEntries(outFolder), Is.Empty, "no output, partial or lock file");
    }

    [Test]
    public void SecondSignalEndsAtOnce()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        using var cli = new CliProcess(Args(Path.Combine(outFolder, "video.safetensors"), steps: 5000));
        Assert.That(cli.WaitForErr("step 1/5000", Patience), Is.True, cli.ToString());
        cli.Signal(CliProcess.SIGTERM);
        cli.Signal(CliProcess.SIGTERM);
        Assert.That(cli.WaitForExit(TimeSpan.FromSeconds(30)), Is.EqualTo(143), cli.ToString());
    }

    [Test]
    public void SigintDuringEncodingKillsFfmpegAndRemovesThePartialFile()
    {
        // A stand-in ffmpeg on PATH: writes its output file (the last argument), records its own process id and that of
        // a child, and sleeps without reading its input, so the run is held inside encoding.
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        string bin = dir["bin"];
        Directory.CreateDirectory(bin);
        string pids = dir["ffmpeg.pids"];
        string ffmpeg = Path.Combine(bin, "ffmpeg");
        File.WriteAllText(ffmpeg, $"""
            #!/bin/sh
            for last; do :; done
            echo partial > "$last"
            sleep 300 &
            echo $$ $! > "{pids}.tmp" && mv "{pids}.tmp" "{pids}"
            wait
            """.Replace("\r", ""));
        File.SetUnixFileMode(ffmpeg, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var environment = new Dictionary<string, string> { ["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH") };

        using var cli = new CliProcess(Args(Path.Combine(outFolder, "clip.mp4"), steps: 2), environment);
        Assert.That(cli.WaitFor(() => File.Exists(pids), Patience), Is.True, "the stand-in ffmpeg started\n" + cli);
        int[] children = File.ReadAllText(pids).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        Assert.That(Directory.GetFiles(outFolder).Any(f => f.Contains(".partial-")), Is.True, "encoding had begun writing its partial file");
        cli.Signal(CliProcess.SIGINT);
        Assert.That(cli.WaitForExit(TimeSpan.FromSeconds(30)), Is.EqualTo(130), cli.ToString());
        Assert.That(Directory.GetFileSystemEntries(outFolder), Is.Empty, "no .mp4, partial or lock file");
        foreach (int pid in children)
            Assert.That(cli.WaitFor(() => !CliProcess.IsAlive(pid), TimeSpan.FromSeconds(10)) || !CliProcess.IsAlive(pid), Is.True, $"process {pid} (ffmpeg or its child) ended");
    }
}
