using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>
/// The summary of a run: counts per problem kind, the most frequent distinct messages of each kind, the first failures
/// (a few per kind, up to 20, each with its reproduction) and the time spent per command.
/// </summary>
public static partial class FuzzReport
{
    const int ListedFailures = 20;
    const int PerKindFirst = 3;

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    [GeneratedRegex(@"/[^\s:']*fvo-fuzz-#/cases/#-#")]
    private static partial Regex ScratchPath();

    [GeneratedRegex(@"'[^']*'|Key: \S+")]
    private static partial Regex Names();

    public static string Summary(IReadOnlyList<FuzzOutcome> outcomes, TimeSpan elapsed, TimeSpan processor, int workers)
    {
        var text = new StringBuilder();
        var failed = outcomes.Where(o => !o.Passed).ToList();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{outcomes.Count} cases in {elapsed.TotalSeconds:F1} s on {workers} worker(s), {processor.TotalSeconds:F1} s of CPU time " +
            $"({elapsed.TotalMilliseconds / Math.Max(1, outcomes.Count):F1} ms per case): " +
            $"{outcomes.Count(o => o.Passed && o.Code == 0)} succeeded, {outcomes.Count(o => o.Passed && o.Code != 0)} failed cleanly, {failed.Count} broke the contract");
        foreach (var group in outcomes.GroupBy(o => o.Case.Target.Command).OrderBy(g => g.Key))
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {group.Key.ToString().ToLowerInvariant(),-8} {group.Count(),5} cases, {group.Sum(o => o.Elapsed.TotalSeconds):F1} s, " +
                $"{group.Count(o => o.Code == 0)} succeeded, slowest {group.Max(o => o.Elapsed.TotalSeconds):F2} s");
        if (failed.Count == 0) return text.ToString();

        var kinds = failed.SelectMany(o => o.Problems.Select(p => (p.Kind, Outcome: o, Problem: p)))
            .GroupBy(x => x.Kind).OrderByDescending(g => g.Select(x => x.Outcome).Distinct().Count()).ToList();
        text.AppendLine("problems by kind (cases):");
        foreach (var kind in kinds)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {kind.Select(x => x.Outcome).Distinct().Count(),5}  {kind.Key}");
            foreach (var message in kind.GroupBy(x => Normalise(x.Problem.Detail)).OrderByDescending(g => g.Count()).Take(10))
                text.AppendLine(CultureInfo.InvariantCulture, $"         {message.Count(),5}  {message.Key}  (e.g. case {message.First().Outcome.Case.Index})");
        }

        // A few of each kind first, then the rest in case order, up to the limit.
        var listed = kinds.SelectMany(k => k.Select(x => x.Outcome).Distinct().Take(PerKindFirst))
            .Concat(failed).Distinct().Take(ListedFailures).OrderBy(o => o.Case.Index).ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"first {listed.Count} failures:");
        foreach (var o in listed)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {o.Case.Describe()}");
            foreach (var p in o.Problems) text.AppendLine(CultureInfo.InvariantCulture, $"    {p.Kind}: {p.Detail}");
        }
        return text.ToString();
    }

    /// <summary>A message with its numbers and scratch paths blurred, so that cases failing the same way group together.</summary>
    static string Normalise(string detail)
    {
        string text = Names().Replace(ScratchPath().Replace(Digits().Replace(detail, "#"), "<case>"), m => m.Value.StartsWith('\'') ? "'*'" : "Key: *");
        return text.Length <= 150 ? text : text[..147] + "...";
    }
}
