using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Cli;

public static class Program
{
    public const string DebugVariable = "FASTVIDEO_ONNX_DEBUG";

    public static int Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        using var signals = new StopSignals(cancel);
        try
        {
            int code = CliApp.Run(args, System.Console.Out, System.Console.Error, cancel.Token);
            // A command that stopped for a signal exits as the shell reports a process ended by it (128 + number).
            return code == CliApp.CancelledExitCode && signals.Received is { } signal ? StopSignals.ExitCode(signal) : code;
        }
        catch (Exception e)
        {
            // Errors a user can act on are handled by CliApp; anything else is a bug. Callers still get one line and
            // exit 1 (an unhandled exception would abort the process with a stack trace and signal 6); the variable
            // brings the stack trace back for a bug report.
            System.Console.Error.WriteLine(Environment.GetEnvironmentVariable(DebugVariable) is { Length: > 0 }
                ? $"error: {e}"
                : $"error: internal error ({e.GetType().Name}: {FastVideoException.FirstLine(e.Message)}); {DebugVariable}=1 shows where");
            return 1;
        }
    }
}
