using System.Diagnostics;
using FastVideo.Onnx.Server.Security;
using FastVideo.Onnx.Server.Tests.Support;

namespace FastVideo.Onnx.Server.Tests;

/// <summary>
/// The official OpenAI SDK for Node (the npm package openai, pinned in sdk/package-lock.json) creates, polls, lists,
/// downloads and deletes a video against the server, with an API key. Without node or the installed package the test
/// is ignored on a developer machine and fails in CI (CI=true), where .ci/run installs both.
/// </summary>
[NonParallelizable]
public class SdkTests
{
    static string SdkFolder => Path.Combine(RepoRoot(), "tests", "FastVideo.Onnx.Server.Tests", "sdk");

    static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FastVideo.Onnx.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("FastVideo.Onnx.sln not found above the test binaries");
    }

    public static bool InCi => Environment.GetEnvironmentVariable("CI") is "true" or "1";

    /// <summary>Missing tooling: ignored on a developer machine, a failure in CI.</summary>
    public static void Require(bool present, string what)
    {
        if (present) return;
        if (InCi) Assert.Fail($"{what} (CI=true: .ci/run installs it)");
        Assert.Ignore(what);
    }

    static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    [Test]
    public async Task The_openai_npm_sdk_creates_polls_lists_downloads_and_deletes()
    {
        string? node = OnPath("node");
        Require(node is not null, "node is not on PATH");
        Require(File.Exists(Path.Combine(SdkFolder, "node_modules", "openai", "package.json")), $"the openai package is not installed (run: npm ci --prefix {SdkFolder})");

        using var dir = new TempFolder();
        string key = ApiKeyFile.Add(dir["keys"], "sdk");
        await using var server = await TestServer.StartAsync(o => o with { ApiKeys = dir["keys"] });
        var psi = new ProcessStartInfo(node!) { WorkingDirectory = SdkFolder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("videos.mjs");
        psi.Environment["FASTVIDEO_BASE_URL"] = server.Server.Address.ToString();
        psi.Environment["FASTVIDEO_API_KEY"] = key;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            Assert.Fail($"node videos.mjs did not finish within 120 s: {await stderr}");
        }
        string output = await stdout, errors = await stderr;
        Assert.That(process.ExitCode, Is.EqualTo(0), $"stdout: {output}\nstderr: {errors}");
        Assert.That(output, Does.Contain("\"ok\":true").And.Contain("\"listed\":2"));
    }
}
