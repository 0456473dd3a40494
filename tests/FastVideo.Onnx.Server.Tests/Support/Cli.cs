using FastVideo.Onnx.Cli;

namespace FastVideo.Onnx.Server.Tests.Support;

/// <summary>Runs fastvideo-onnx in-process and captures its exit code and output.</summary>
public static class Cli
{
    public sealed record Result(int Code, string Out, string Err)
    {
        public override string ToString() => $"exit {Code}\nstdout:\n{Out}\nstderr:\n{Err}";
    }

    public static Result Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr, CancellationToken.None);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }
}
