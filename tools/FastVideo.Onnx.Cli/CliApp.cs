using FastVideo.Onnx.Cli.Commands;
using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Cli;

/// <summary>
/// The command dispatcher, callable in-process (tests) as well as from <see cref="Program"/>. Exit codes: 0 success,
/// 1 a model, input or runtime error (one line on stderr), 2 a usage error, 130 cancelled (143 when the process was
/// cancelled by SIGTERM, see <see cref="Program"/>).
/// </summary>
public static class CliApp
{
    public const int CancelledExitCode = 130;

    public const string Usage = """
        usage: fastvideo-onnx <command> [options]

        commands:
          convert   convert a Diffusers model folder to ONNX
          generate  generate a video from a converted model
          inspect   describe a model folder (Diffusers or converted)
          bench     measure performance with random weights in real configurations
          serve     serve an OpenAI-compatible video generation API and a web page

        fastvideo-onnx <command> --help describes a command.
        """;

    sealed record CommandSpec(string Usage, string[] Values, string[] Flags, Func<CommandArgs, TextWriter, TextWriter, CancellationToken, int> Run);

    static readonly Dictionary<string, CommandSpec> Commands = new(StringComparer.Ordinal)
    {
        ["convert"] = new(ConvertCommand.Usage, ConvertCommand.ValueOptions, ConvertCommand.FlagOptions, ConvertCommand.Run),
        ["generate"] = new(GenerateCommand.Usage, GenerateCommand.ValueOptions, GenerateCommand.FlagOptions, GenerateCommand.Run),
        ["inspect"] = new(InspectCommand.Usage, InspectCommand.ValueOptions, InspectCommand.FlagOptions, InspectCommand.Run),
        ["bench"] = new(BenchCommand.Usage, BenchCommand.ValueOptions, BenchCommand.FlagOptions, BenchCommand.Run),
        ["serve"] = new(ServeCommand.Usage, ServeCommand.ValueOptions, ServeCommand.FlagOptions, ServeCommand.Run),
    };

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancel = default)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            (args.Length == 0 ? stderr : stdout).Write(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] is "--version")
        {
            stdout.WriteLine($"fastvideo-onnx {Core.Models.ConvertedModel.ToolVersion}");
            return 0;
        }
        if (!Commands.TryGetValue(args[0], out var spec))
        {
            stderr.WriteLine($"fastvideo-onnx: unknown command '{args[0]}' (commands: {string.Join(", ", Commands.Keys)})");
            return 2;
        }
        try
        {
            var parsed = new CommandArgs(args[0], args.Skip(1), spec.Values, spec.Flags);
            if (parsed.Flag("help"))
            {
                stdout.Write(spec.Usage);
                return 0;
            }
            return spec.Run(parsed, stdout, stderr, cancel);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"fastvideo-onnx {args[0]}: {FastVideoException.OneLine(e.Message)} (see fastvideo-onnx {args[0]} --help)");
            return 2;
        }
        catch (FastVideoException e)
        {
            stderr.WriteLine($"error: {FastVideoException.OneLine(FastVideo.Onnx.Cli.Commands.OptionNames.Message(e))}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("cancelled; nothing was written");
            return CancelledExitCode;
        }
        catch (IOException e)
        {
            stderr.WriteLine($"error: {FastVideoException.OneLine(e.Message)}");
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            stderr.WriteLine($"error: {FastVideoException.OneLine(e.Message)}");
            return 1;
        }
    }
}
