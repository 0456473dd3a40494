using System.Diagnostics;

namespace FastVideo.Onnx.Cli.Console;

/// <summary>
/// A one-line progress display on stderr: redrawn in place on a terminal, printed as occasional lines when stderr is
/// redirected (logs stay readable).
/// </summary>
public sealed class ProgressBar
{
    readonly TextWriter _out;
    readonly bool _interactive;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly Stopwatch _sinceDraw = Stopwatch.StartNew();
    int _lastDecile = -1;
    string _lastLabel = "";
    bool _drawn;

    public ProgressBar(TextWriter output, bool interactive)
    {
        _out = output;
        _interactive = interactive;
    }

    public static ProgressBar ForStderr(TextWriter stderr) =>
        new(stderr, ReferenceEquals(stderr, System.Console.Error) && !System.Console.IsErrorRedirected);

    /// <param name="fraction">0..1</param>
    /// <param name="label">what is being done</param>
    /// <param name="detail">right-hand text (counts, sizes)</param>
    public void Update(double fraction, string label, string detail = "")
    {
        fraction = Math.Clamp(fraction, 0, 1);
        if (_interactive)
        {
            if (_sinceDraw.ElapsedMilliseconds < 100 && fraction < 1 && label == _lastLabel) return;
            _sinceDraw.Restart();
            const int width = 30;
            int filled = (int)Math.Round(fraction * width);
            string line = $"\r{label,-14} [{new string('#', filled)}{new string('.', width - filled)}] {fraction * 100,5:F1}%  {detail}  {Format(_clock.Elapsed)}";
            _out.Write(line.PadRight(100)[..Math.Max(100, line.Length)]);
            _drawn = true;
        }
        else
        {
            int decile = (int)(fraction * 10);
            if (decile == _lastDecile && label == _lastLabel) return;
            _lastDecile = decile;
            _out.WriteLine($"{label}: {fraction * 100:F0}% {detail} ({Format(_clock.Elapsed)})");
        }
        _lastLabel = label;
    }

    /// <summary>Ends the line of an in-place display.</summary>
    public void Done()
    {
        if (_interactive && _drawn) _out.WriteLine();
        _drawn = false;
    }

    public static string Format(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.ToString(@"m\:ss");

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):F2} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):F1} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):F1} KiB",
        _ => $"{bytes} B",
    };
}
