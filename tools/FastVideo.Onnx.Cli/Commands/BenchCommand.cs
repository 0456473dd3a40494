using FastVideo.Onnx.Cli.Console;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;

namespace FastVideo.Onnx.Cli.Commands;

/// <summary>
/// <c>fastvideo-onnx bench ...</c>: performance work with random weights in real configurations.
/// <c>random-model</c> writes a Diffusers-layout model folder with random weights (to measure conversion).
/// </summary>
public static class BenchCommand
{
    public const string Usage = """
        usage: fastvideo-onnx bench random-model --config-dir DIR --output DIR [--components LIST] [--dtype bf16] [--shard-gb N]

          random-model   copy a folder of configs (model_index.json + component config.json files, e.g.
                         models/configs/wan2.1-t2v-1.3b) to --output and fill each model component with
                         random weights in the published layout (sharded safetensors). For measuring
                         conversion at real sizes; never commit the result.
        """;

    public static readonly string[] ValueOptions = { "config-dir", "output", "components", "dtype", "shard-gb" };
    public static readonly string[] FlagOptions = { "help", "force" };

    public static int Run(CommandArgs args, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        string sub = args.Positional(0, "a bench command (random-model)");
        return sub switch
        {
            "random-model" => RandomModel(args, stdout, stderr),
            _ => throw new UsageException($"unknown bench command '{sub}' (random-model)"),
        };
    }

    static int RandomModel(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        args.NoMorePositionals(1);
        string configs = args.Required("config-dir");
        string output = args.Required("output");
        var dtype = DTypeInfo.ParseFloat(args.Value("dtype") ?? "bf16", "--dtype");
        double shardGb = args.Double("shard-gb") ?? 5;
        if (!Directory.Exists(configs)) throw new InvalidRequestException("--config-dir", $"{configs} does not exist");
        if (Directory.Exists(output) && !args.Flag("force")) throw new InvalidRequestException("--output", $"{output} already exists (use --force to replace it)");
        if (Directory.Exists(output)) Directory.Delete(output, true);
        foreach (var file in Directory.GetFiles(configs, "*.json", SearchOption.AllDirectories))
        {
            string target = Path.Combine(output, Path.GetRelativePath(configs, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var bar = ProgressBar.ForStderr(stderr);
        var components = args.Value("components")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var written = SyntheticCheckpoint.Write(output, dtype, components, (long)(shardGb * (1L << 30)),
            new Core.Progress.CallbackProgress<(string Component, long Bytes, long Total)>(p =>
                bar.Update((double)p.Bytes / p.Total, p.Component, $"{ProgressBar.Bytes(p.Bytes)} / {ProgressBar.Bytes(p.Total)}")));
        bar.Done();
        foreach (var (component, bytes) in written) stdout.WriteLine($"  {component,-16} {dtype.ShortName()} {ProgressBar.Bytes(bytes),11}");
        stdout.WriteLine($"random weights written to {output}");
        return 0;
    }
}
