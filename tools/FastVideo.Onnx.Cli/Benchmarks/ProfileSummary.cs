using System.Text.Json;

namespace FastVideo.Onnx.Cli.Benchmarks;

/// <summary>
/// Summarises an ONNX Runtime profile (the JSON trace a session writes with profiling on): each run's time, and node
/// time per operator type averaged over the runs, largest first. The first run is left out of the averages when there
/// are later ones: it carries first-use work (cuDNN's convolution search, library loading) that later runs do not.
/// On a GPU provider a node's time is the time to launch its kernels, not to run them (the runs' times are whole,
/// synchronised runs): there the operator table says what the host spends, and a GPU profiler says the rest.
/// </summary>
public static class ProfileSummary
{
    /// <summary>A profile's runs (ms each, in order) and its operators over the runs after the first.</summary>
    public sealed record Summary(IReadOnlyList<double> RunMs, IReadOnlyList<(string Op, double MsPerRun, double CallsPerRun)> Operators);

    public static Summary Read(string profilePath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(profilePath));
        var runs = new List<(double Start, double Duration)>();
        var nodes = new List<(double Start, string Op, double Us)>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            string cat = e.TryGetProperty("cat", out var c) ? c.GetString() ?? "" : "";
            string name = e.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
            double ts = e.TryGetProperty("ts", out var t) ? t.GetDouble() : 0;
            double us = e.TryGetProperty("dur", out var d) ? d.GetDouble() : 0;
            if (cat == "Session" && name == "model_run") runs.Add((ts, us));
            if (cat != "Node" || !name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
            string op = e.TryGetProperty("args", out var a) && a.TryGetProperty("op_name", out var o) ? o.GetString() ?? "?" : "?";
            nodes.Add((ts, op, us));
        }
        runs.Sort((x, y) => x.Start.CompareTo(y.Start));
        // A node belongs to the first run when it starts before the second run does.
        double from = runs.Count > 1 ? runs[1].Start : double.NegativeInfinity;
        int counted = Math.Max(runs.Count > 1 ? runs.Count - 1 : runs.Count, 1);
        var totals = nodes.Where(x => x.Start >= from).GroupBy(x => x.Op, StringComparer.Ordinal)
            .Select(g => (Op: g.Key, Us: g.Sum(x => x.Us), Count: g.Count()))
            .OrderByDescending(x => x.Us)
            .Select(x => (x.Op, x.Us / 1000.0 / counted, x.Count / (double)counted)).ToList();
        return new Summary(runs.Select(r => r.Duration / 1000.0).ToList(), totals);
    }

    /// <summary>
    /// Runs <paramref name="run"/>, whose sessions write their profiles under <paramref name="prefix"/> (a folder and a
    /// file-name prefix, ONNX Runtime's ProfileOutputPathPrefix) when they close, then prints the summary of each new
    /// one. A file still empty belongs to a session that is still open (a device's utility sessions live as long as the
    /// device): it is named and skipped.
    /// </summary>
    public static void PrintNew(string prefix, Action run, TextWriter output)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(prefix))!, pattern = Path.GetFileName(prefix) + "_*.json";
        Directory.CreateDirectory(folder);
        var before = Directory.GetFiles(folder, pattern).ToHashSet(StringComparer.Ordinal);
        run();
        foreach (var file in Directory.GetFiles(folder, pattern).Where(f => !before.Contains(f)).Order(StringComparer.Ordinal))
        {
            if (new FileInfo(file).Length == 0)
                output.WriteLine($"ONNX Runtime profile {Path.GetFileName(file)}: empty (its session is still open), not summarised");
            else Print(file, output);
        }
    }

    public static void Print(string profilePath, TextWriter output)
    {
        var summary = Read(profilePath);
        var runs = summary.RunMs;
        string over = runs.Count > 1 ? $"runs 2-{runs.Count}" : "the run";
        output.WriteLine($"ONNX Runtime profile {Path.GetFileName(profilePath)}: {runs.Count} run(s), ms each: {string.Join(", ", runs.Select(r => r.ToString("F1")))}");
        output.WriteLine($"node time per run by operator, over {over} (on a GPU provider: the time to launch the kernels)");
        output.WriteLine("| operator | ms per run | calls per run |");
        output.WriteLine("|---|---|---|");
        foreach (var (op, ms, calls) in summary.Operators) output.WriteLine($"| {op} | {ms:F1} | {calls:F0} |");
        output.WriteLine($"| total | {summary.Operators.Sum(r => r.MsPerRun):F1} | {summary.Operators.Sum(r => r.CallsPerRun):F0} |");
    }
}
