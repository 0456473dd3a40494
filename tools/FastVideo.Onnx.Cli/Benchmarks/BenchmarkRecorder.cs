using System.Diagnostics;
using System.Text.Json;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Runtime.Diagnostics;
using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Cli.Benchmarks;

/// <summary>
/// Times and records what every family's benchmark measures, the same way for all of them: wall-clock times after
/// warm-up runs and the GPU memory peaks above a baseline taken before the part's sessions were created (so they count
/// weights and activations, like torch's max_memory_allocated). Prints the results as a Markdown table and JSON. With a
/// JSON file, the file is rewritten after every result, so a run stopped part-way (a time limit) keeps what it measured.
/// </summary>
internal sealed class BenchmarkRecorder(int deviceId, TextWriter log, string? jsonPath = null)
{
    readonly List<BenchMeasurement> _results = new();

    public IReadOnlyList<BenchMeasurement> Results => _results;

    public TextWriter Log => log;

    /// <summary>
    /// The used GPU memory before a part's sessions are created. Cached arena memory is handed back first: with the
    /// shared arena, what earlier parts freed would otherwise sit in the baseline and hide part of this part's peak.
    /// </summary>
    public long Baseline(ExecutionDevice device)
    {
        device.ReleaseCachedMemory();
        return GpuMemoryMonitor.Used(deviceId);
    }

    /// <summary>The GPU memory in use above <paramref name="baseline"/> now (-1 without a baseline).</summary>
    public long Above(long baseline) => baseline < 0 ? -1 : GpuMemoryMonitor.Used(deviceId) - baseline;

    public void Add(BenchMeasurement measurement)
    {
        _results.Add(measurement);
        if (jsonPath is not null) WriteJson(jsonPath);
    }

    /// <summary>Times the creation of a part's sessions (<paramref name="open"/>) and records it with the memory they hold.</summary>
    public T Open<T>(string part, string what, DType precision, long baseline, Func<T> open, Func<T, string> detail)
    {
        var clock = Stopwatch.StartNew();
        var opened = open();
        clock.Stop();
        Add(BenchMeasurement.From("session creation: " + what, precision.ShortName(), new[] { clock.Elapsed.TotalMilliseconds }, Above(baseline),
            detail(opened), part: part));
        return opened;
    }

    /// <summary>
    /// Times <paramref name="action"/> <paramref name="repeats"/> times after <paramref name="warmup"/> runs. Two memory
    /// peaks above <paramref name="baseline"/>: one for the timed runs and one for the warm-up runs, which carry first-use
    /// work (cuDNN's algorithm search).
    /// </summary>
    public BenchMeasurement Measure(string part, string what, DType precision, long baseline, int repeats, int warmup, Action action, string detail = "")
    {
        long warmupPeak = PeakDuring(() =>
        {
            for (int i = 0; i < warmup; i++) action();
        }, baseline);
        var times = new List<double>();
        long peak = PeakDuring(() =>
        {
            for (int i = 0; i < repeats; i++)
            {
                var clock = Stopwatch.StartNew();
                action();
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }, baseline);
        var m = BenchMeasurement.From(what, precision.ShortName(), times, peak, detail, warmupPeak, part);
        Add(m);
        log.WriteLine($"{what}: min {m.MinMs:F1} ms, median {m.MedianMs:F1} ms, GPU peak {GiB(m.PeakGpuGiB)} GiB (warm-up {GiB(m.WarmupPeakGpuGiB)} GiB)");
        return m;
    }

    /// <summary>The GPU memory peak during <paramref name="work"/> above <paramref name="baseline"/> (-1 without a baseline).</summary>
    public long PeakDuring(Action work, long baseline)
    {
        var memory = GpuMemoryMonitor.Start(deviceId);
        try
        {
            work();
        }
        finally
        {
            memory.Dispose();
        }
        return baseline < 0 ? -1 : memory.Peak - baseline;
    }

    static string GiB(double? g) => g is double v ? v.ToString("F2") : "n/a";

    /// <summary>The Markdown table to <paramref name="output"/>; the JSON to the recorder's JSON file, or after the table without one.</summary>
    public void Print(TextWriter output)
    {
        output.WriteLine("| part | what | precision | min ms | median ms | runs | GPU peak GiB above baseline | same, warm-up runs | detail |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var r in _results)
            output.WriteLine($"| {r.Part} | {r.What} | {r.Precision} | {r.MinMs:F1} | {r.MedianMs:F1} | {r.Runs} | {GiB(r.PeakGpuGiB)} | {GiB(r.WarmupPeakGpuGiB)} | {r.Detail} |");
        if (jsonPath is not null) WriteJson(jsonPath);
        else output.WriteLine(Json());
    }

    string Json() => JsonSerializer.Serialize(_results, new JsonSerializerOptions { WriteIndented = true });

    void WriteJson(string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        // Written beside and moved over: a reader (or a stop) never sees half a file.
        string partial = path + ".partial";
        File.WriteAllText(partial, Json());
        File.Move(partial, path, overwrite: true);
    }
}
