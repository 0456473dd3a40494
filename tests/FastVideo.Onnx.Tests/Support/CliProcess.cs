using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>
/// fastvideo-onnx as a real child process (<c>dotnet fastvideo-onnx.dll ...</c>), for what only a process shows: signals,
/// exit codes, child processes. Its stderr is collected line by line so a test can wait for a point of the run.
/// </summary>
public sealed class CliProcess : IDisposable
{
    readonly Process _process;
    readonly StringBuilder _out = new();
    readonly StringBuilder _err = new();
    readonly List<string> _errLines = new();

    public CliProcess(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fastvideo-onnx.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_out) _out.AppendLine(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_err)
            {
                _err.AppendLine(e.Data);
                _errLines.Add(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Out
    {
        get { lock (_out) return _out.ToString(); }
    }

    public string Err
    {
        get { lock (_err) return _err.ToString(); }
    }

    /// <summary>Waits until a stderr line contains <paramref name="text"/>; false when the process ended or the time ran out first.</summary>
    public bool WaitForErr(string text, TimeSpan timeout) => WaitFor(() =>
    {
        lock (_err) return _errLines.Any(l => l.Contains(text, StringComparison.Ordinal));
    }, timeout);

    public bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition()) return true;
            if (_process.HasExited) return condition();
            Thread.Sleep(20);
        }
        return false;
    }

    public const int SIGINT = 2;
    public const int SIGTERM = 15;

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    static extern int Kill(int pid, int signal);

    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>The exit code, or null when the process did not end within <paramref name="timeout"/>.</summary>
    public int? WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return null;
        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    /// <summary>Whether process <paramref name="pid"/> still runs (a zombie waiting to be reaped counts as ended).</summary>
    public static bool IsAlive(int pid)
    {
        string stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat)) return false;
        try
        {
            string text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    public override string ToString() => $"stdout:\n{Out}\nstderr:\n{Err}";

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
