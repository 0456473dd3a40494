namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>How one case ended: its exit code (null when it never returned), what it printed, and the problems found.</summary>
public sealed record FuzzOutcome(FuzzCase Case, int? Code, string Stdout, string Stderr, TimeSpan Elapsed, IReadOnlyList<FuzzProblem> Problems)
{
    public bool Passed => Problems.Count == 0;
}
