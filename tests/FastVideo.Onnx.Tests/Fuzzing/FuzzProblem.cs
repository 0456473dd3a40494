namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>One way a case broke the contract (success, or one 'error:' line with a non-zero exit and nothing left behind).</summary>
public sealed record FuzzProblem(string Kind, string Detail)
{
    public const string Hang = "hang (> 30 s)";
    public const string StackTrace = "stack trace in the output";
    public const string ReportedInternalError = "'internal error' in the output";
    public const string UsageError = "usage error from a mutated file";
    public const string MultiLine = "multi-line error";
    public const string NoErrorLine = "non-zero exit without an error: line";
    public const string ErrorOnSuccess = "error: line with exit 0";
    public const string IncompleteOutput = "success with incomplete output";
    public const string Leftover = "leftover files";
    public const string InputChanged = "input file changed or removed";

    /// <summary>The kind for an exception that escaped CliApp.Run: what Program.Main reports as "internal error".</summary>
    public static string InternalError(Exception e) => $"internal error ({e.GetType().Name})";
}
