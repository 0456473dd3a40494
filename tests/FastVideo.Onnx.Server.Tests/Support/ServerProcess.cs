using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace FastVideo.Onnx.Server.Tests.Support;

/// <summary>
/// <c>dotnet fastvideo-onnx.dll serve ...</c> as a child process on 127.0.0.1 and a free port, for what only a real
/// process shows: SIGKILL in the middle of a job, SIGTERM's graceful shutdown and exit code.
/// </summary>
public sealed partial class ServerProcess : IDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    public Uri Address { get; }
    public HttpClient Http { get; }
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "fastvideo-onnx.dll");

    public static ServerProcess Start(string data, IDictionary<string, string>? environment = null, params string[] extra)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { CliDll, "serve", "--model", TinyModel.Spec, "--port", "0", "--data", data }.Concat(extra)) psi.ArgumentList.Add(a);
        psi.Environment["FASTVIDEO_ONNX_CACHE"] = TinyModel.Cache;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        var output = new StringBuilder();
        var address = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (Listening().Match(e.Data) is { Success: true } m) address.TrySetResult(new Uri(m.Groups[1].Value));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // A server that exits (a bad option, a port in use) ends the wait at once rather than after the full timeout.
        var exited = process.WaitForExitAsync();
        bool reported = Task.WaitAny(new Task[] { address.Task, exited }, TimeSpan.FromSeconds(90)) == 0 || address.Task.IsCompleted;
        if (!reported)
        {
            if (!process.HasExited) process.Kill();
            // Once exited, the parameterless wait also drains the redirected output, so the message shows all of it.
            if (process.WaitForExit(10_000)) process.WaitForExit();
            string text;
            lock (output) text = output.ToString();
            string why = process.HasExited ? $"exited with {process.ExitCode} before reporting its address" : "did not report its address within 90 s";
            process.Dispose();
            throw new TimeoutException($"the server {why}:\n{text}");
        }
        var server = new ServerProcess(process, address.Task.Result);
        lock (output) server._output.Append(output);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server.WaitReady();
        return server;
    }

    void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    void WaitReady()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = Http.GetAsync("/health/ready").GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            Thread.Sleep(50);
        }
        throw new TimeoutException($"the server did not become ready:\n{Output}");
    }

    [GeneratedRegex(@" on (http://127\.0\.0\.1:\d+/?)")]
    private static partial Regex Listening();

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    const int SigTerm = 15;

    /// <summary>SIGKILL: the process ends at once, mid-job, with nothing cleaned up.</summary>
    public void Kill()
    {
        _process.Kill();
        Assert.That(_process.WaitForExit(30_000), Is.True, "killed process ended");
    }

    /// <summary>SIGTERM, as a service manager stops the server.</summary>
    public void Terminate() => Assert.That(kill(_process.Id, SigTerm), Is.EqualTo(0), "kill(SIGTERM)");

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit((int)timeout.TotalMilliseconds)) return false;
        _process.WaitForExit(); // the timed wait does not wait for the redirected output to be read to its end
        return true;
    }

    public int ExitCode => _process.ExitCode;

    public void Dispose()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(30_000);
        }
        _process.Dispose();
    }
}
