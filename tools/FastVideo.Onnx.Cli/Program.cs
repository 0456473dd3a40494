namespace FastVideo.Onnx.Cli;

public static class Program
{
    public static int Main(string[] args) => CliApp.Run(args, Console.Out, Console.Error);
}

public static class CliApp
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        stderr.WriteLine("usage: fastvideo-onnx convert | generate | inspect | bench");
        return 2;
    }
}
