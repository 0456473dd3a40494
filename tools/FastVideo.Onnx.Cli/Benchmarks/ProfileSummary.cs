using System.Text.Json;

namespace FastVideo.Onnx.Cli.Benchmarks;

/// <summary>
/// Summarises an ONNX Runtime profile (the JSON trace a session writes with profiling on): kernel time per operator
/// type, averaged over the session's runs, largest first. Tells where a graph's time goes without a GPU profiler.
/// </summary>
public static class ProfileSummary
{
    public static IReadOnlyList<(string Op, double MsPerRun, double CallsPerRun)> ByOperator(string profilePath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(profilePath));
        int runs = 0;
        var totals = new Dictionary<string, (double Us, int Count)>(StringComparer.Ordinal);
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            string cat = e.TryGetProperty("cat", out var c) ? c.GetString() ?? "" : "";
            string name = e.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
            if (cat == "Session" && name == "model_run") runs++;
            if (cat != "Node" || !name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
            string op = e.TryGetProperty("args", out var a) && a.TryGetProperty("op_name", out var o) ? o.GetString() ?? "?" : "?";
            double us = e.TryGetProperty("dur", out var d) ? d.GetDouble() : 0;
            var t = totals.GetValueOrDefault(op);
            totals[op] = (t.Us + us, t.Count + 1);
        }
        runs = Math.Max(runs, 1);
        return totals.OrderByDescending(t => t.Value.Us)
            .Select(t => (t.Key, t.Value.Us / 1000.0 / runs, t.Value.Count / (double)runs)).ToList();
    }

    /// <summary>
    /// Runs <paramref name="run"/>, whose sessions write their profiles under <paramref name="prefix"/> (a folder and a
    /// file-name prefix, ONNX Runtime's ProfileOutputPathPrefix) when they close, then prints the summary of each new one.
    /// </summary>
    public static void PrintNew(string prefix, Action run, TextWriter output)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(prefix))!, pattern = Path.GetFileName(prefix) + "_*.json";
        Directory.CreateDirectory(folder);
        var before = Directory.GetFiles(folder, pattern).ToHashSet(StringComparer.Ordinal);
        run();
        foreach (var file in Directory.GetFiles(folder, pattern).Where(f => !before.Contains(f)).Order(StringComparer.Ordinal))
            Print(file, output);
    }

    public static void Print(string profilePath, TextWriter output)
    {
        var rows = ByOperator(profilePath);
        output.WriteLine($"ONNX Runtime profile {Path.GetFileName(profilePath)}: kernel time per run by operator");
        output.WriteLine("| operator | ms per run | calls per run |");
        output.WriteLine("|---|---|---|");
        foreach (var (op, ms, calls) in rows) output.WriteLine($"| {op} | {ms:F1} | {calls:F0} |");
        output.WriteLine($"| total | {rows.Sum(r => r.MsPerRun):F1} | {rows.Sum(r => r.CallsPerRun):F0} |");
    }
}
