using System.Diagnostics;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>Runs git in the repository root, for tests about what the repository tracks.</summary>
internal static class Git
{
    /// <summary>Whether the test binaries run inside a git checkout (a source archive has no .git).</summary>
    public static bool IsCheckout => Directory.Exists(Path.Combine(Repo.Root, ".git")) || File.Exists(Path.Combine(Repo.Root, ".git"));

    /// <summary>stdout of <c>git args</c>; throws naming the command and git's stderr when it exits non-zero.</summary>
    public static string Run(params string[] args) => Run(args, out _, throwOnFailure: true);

    /// <summary>The exit code of <c>git args</c> (for commands such as check-ignore that answer by their exit code).</summary>
    public static int ExitCode(params string[] args)
    {
        Run(args, out int code, throwOnFailure: false);
        return code;
    }

    /// <summary>The paths git tracks, relative to the root with '/' separators.</summary>
    public static IReadOnlyList<string> TrackedFiles() => Run("ls-files", "-z").Split('\0', StringSplitOptions.RemoveEmptyEntries);

    static string Run(string[] args, out int code, bool throwOnFailure)
    {
        var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-C");
        psi.ArgumentList.Add(Repo.Root);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start git");
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        code = p.ExitCode;
        if (throwOnFailure && code != 0)
            throw new InvalidOperationException($"git {string.Join(' ', args)} exited {code}: {stderr.Result.Trim()}");
        return stdout;
    }
}
