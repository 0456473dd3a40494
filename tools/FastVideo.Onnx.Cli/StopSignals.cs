using System.Runtime.InteropServices;

namespace FastVideo.Onnx.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM as cancellation for every command: the first one cancels the token the command runs
/// with (it stops at the next step, kills child processes and removes what it had started to write); a second one
/// ends the process at once.
/// </summary>
sealed class StopSignals : IDisposable
{
    readonly CancellationTokenSource _cancel;
    readonly PosixSignalRegistration[] _registrations;
    int _received;

    public StopSignals(CancellationTokenSource cancel)
    {
        _cancel = cancel;
        _registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM }.Select(s => PosixSignalRegistration.Create(s, Handle)).ToArray();
    }

    /// <summary>The first signal received, if any.</summary>
    public PosixSignal? Received => _received == 0 ? null : (PosixSignal)_received;

    /// <summary>128 + the signal's number: 130 for SIGINT, 143 for SIGTERM.</summary>
    public static int ExitCode(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => 130,
        PosixSignal.SIGTERM => 143,
        _ => CliApp.CancelledExitCode,
    };

    void Handle(PosixSignalContext context)
    {
        // The runtime's default (ending the process) is replaced by cancellation for the first signal only.
        context.Cancel = true;
        if (Interlocked.CompareExchange(ref _received, (int)context.Signal, 0) != 0)
        {
            System.Console.Error.WriteLine("\nstopped");
            Environment.Exit(ExitCode(Received!.Value));
        }
        System.Console.Error.WriteLine($"\ncancelling ({(context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM")}; a second one stops at once)...");
        _cancel.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}
