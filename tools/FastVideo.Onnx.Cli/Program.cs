namespace FastVideo.Onnx.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        System.Console.CancelKeyPress += (_, e) =>
        {
            // First Ctrl+C: stop between steps and clean up. A second one ends the process.
            if (cancel.IsCancellationRequested) return;
            e.Cancel = true;
            System.Console.Error.WriteLine("\ncancelling...");
            cancel.Cancel();
        };
        return CliApp.Run(args, System.Console.Out, System.Console.Error, cancel.Token);
    }
}
