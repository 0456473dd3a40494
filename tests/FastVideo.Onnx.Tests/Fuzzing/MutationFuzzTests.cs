using System.Diagnostics;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>
/// The mutation fuzzing suite: seeded mutations of the tiny models' files and of a --latents file, each run through
/// convert, inspect or generate. Every case must end in success, or in exactly one 'error:' line with a non-zero exit and
/// nothing left behind. FASTVIDEO_FUZZ_CASES and FASTVIDEO_FUZZ_SEED choose the run; FASTVIDEO_FUZZ_CASE replays one case
/// (FASTVIDEO_FUZZ_KEEP=1 keeps its scratch folder, whose path the test output prints); FASTVIDEO_FUZZ_WORKERS runs cases
/// in parallel and FASTVIDEO_FUZZ_REPORT names a file for the summary.
/// </summary>
[TestFixture, Category("Fuzz")]
public class MutationFuzzTests
{
    public const string CasesVariable = "FASTVIDEO_FUZZ_CASES";
    public const string SeedVariable = "FASTVIDEO_FUZZ_SEED";
    public const string CaseVariable = "FASTVIDEO_FUZZ_CASE";
    public const string KeepVariable = "FASTVIDEO_FUZZ_KEEP";
    public const string ReportVariable = "FASTVIDEO_FUZZ_REPORT";
    public const string WorkersVariable = "FASTVIDEO_FUZZ_WORKERS";
    public const int DefaultCases = 2000;
    public const int DefaultSeed = 20240610;

    static int Setting(string name, int fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    [Test]
    public void EveryMutatedInputEndsInSuccessOrOneErrorLine()
    {
        int seed = Setting(SeedVariable, DefaultSeed);
        int replay = Setting(CaseVariable, -1);
        bool keep = Setting(KeepVariable, 0) != 0;
        var indexes = replay >= 0 ? new[] { replay } : Enumerable.Range(0, Setting(CasesVariable, DefaultCases)).ToArray();

        int workers = Math.Max(1, Setting(WorkersVariable, 1));

        var clock = Stopwatch.StartNew();
        var processor = Process.GetCurrentProcess().TotalProcessorTime;
        var outcomes = new FuzzOutcome[indexes.Length];
        Parallel.ForEach(indexes.Select((index, at) => (index, at)), new ParallelOptions { MaxDegreeOfParallelism = workers },
            item => outcomes[item.at] = FuzzCaseRunner.Run(MutationGenerator.Generate(seed, item.index), keep));
        processor = Process.GetCurrentProcess().TotalProcessorTime - processor;
        if (replay >= 0)
        {
            var outcome = outcomes[0];
            TestContext.Out.WriteLine(outcome.Case.Describe());
            TestContext.Out.WriteLine($"exit {outcome.Code?.ToString() ?? "none"} after {outcome.Elapsed.TotalSeconds:F2} s\nstdout:\n{outcome.Stdout}\nstderr:\n{outcome.Stderr}");
            if (keep) TestContext.Out.WriteLine($"scratch folder kept: {Path.Combine(FuzzInputs.CasesFolder, $"{seed}-{replay}")}");
        }
        string report = FuzzReport.Summary(outcomes, clock.Elapsed, processor, workers);
        TestContext.Out.WriteLine(report);
        if (Environment.GetEnvironmentVariable(ReportVariable) is { Length: > 0 } path) File.WriteAllText(path, report);
        Assert.That(outcomes.Count(o => !o.Passed), Is.Zero, report);
    }
}
