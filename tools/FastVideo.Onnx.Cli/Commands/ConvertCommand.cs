using FastVideo.Onnx.Cli.Console;
using FastVideo.Onnx.Cli.Inspection;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Export.Torch.Verification;

namespace FastVideo.Onnx.Cli.Commands;

/// <summary><c>fastvideo-onnx convert MODEL_DIR --output OUT_DIR [--dtype D] [--components NAMES] [--sequence-parallel N] [--force] [--verify]</c></summary>
public static class ConvertCommand
{
    public const string Usage = """
        usage: fastvideo-onnx convert MODEL_DIR --output OUT_DIR [--dtype D] [--components NAMES] [--sequence-parallel N] [--force] [--verify]

        Converts a Diffusers model folder (model_index.json + component folders, single or sharded safetensors)
        into OUT_DIR: ONNX graphs with external data for the model components, copies of the tokenizer,
        scheduler and image processor folders, manifests. OUT_DIR appears only when everything succeeded.

          --output DIR       where to write (must not exist unless --force)
          --dtype D          fp32 (default), fp16 or bf16; or per component, e.g. transformer=bf16,vae=fp32
          --components LIST  comma-separated components to convert (default: all); when OUT_DIR is
                             already a converted folder of the same pipeline, they are added to it
                             (or replace the same components in it)
          --sequence-parallel N  also write the Wan transformer's per-rank graph for N ranks
                             (transformer/model.sp<N>.onnx, sharing the weights) for generate's
                             --parallel sequence; N must divide the attention heads
          --force            replace OUT_DIR as a whole if it exists
          --verify           then run each graph (ONNX Runtime, CPU) and the TorchSharp definition on the real
                             weights with a seeded random input; fail if they disagree beyond the tolerance
        """;

    public static readonly string[] ValueOptions = { "output", "dtype", "components", "sequence-parallel" };
    public static readonly string[] FlagOptions = { "force", "verify", "help" };

    public static int Run(CommandArgs args, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        string source = args.Positional(0, "MODEL_DIR (the Diffusers model folder to convert)");
        args.NoMorePositionals(1);
        var (precision, perComponent) = ParseDtype(args.Value("dtype"));
        var request = new ConversionRequest(source, args.Required("output"))
        {
            Precision = precision,
            ComponentPrecision = perComponent,
            Components = args.Value("components")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Force = args.Flag("force"),
            SequenceParallel = args.Int("sequence-parallel") ?? 1,
        };

        var bar = ProgressBar.ForStderr(stderr);
        var result = RuntimeSourceValidator.Converter().Convert(request, new Core.Progress.CallbackProgress<ConversionProgress>(p =>
            bar.Update(p.Total == 0 ? 1 : (double)p.Bytes / p.Total, $"{p.Component} ({p.Index + 1}/{p.Count})",
                $"{ProgressBar.Bytes(p.Bytes)} / {ProgressBar.Bytes(p.Total)}")), cancel);
        bar.Done();

        stdout.WriteLine($"Converted {source} -> {result.Output} in {ProgressBar.Format(result.Elapsed)}");
        foreach (var notice in result.Notices) stdout.WriteLine($"  notice: {notice}");
        foreach (var c in result.Components)
        {
            string what = c.Kind == Core.Models.ConvertedComponent.Copied ? "copied" : c.Precision!.Value.ShortName();
            stdout.WriteLine($"  {c.Name,-16} {c.ClassName,-32} {what,-7} {ProgressBar.Bytes(c.Bytes),11}  {c.Elapsed.TotalSeconds,7:F1} s");
            foreach (var note in c.Notes) stdout.WriteLine($"      note: {note}");
            foreach (var notice in c.Notices) stdout.WriteLine($"      notice: {notice}");
        }
        stdout.WriteLine($"  total {ProgressBar.Bytes(result.Bytes)}");
        if (args.Flag("verify")) ComponentVerifier.Verify(source, result, stdout, cancel);
        return 0;
    }

    /// <summary>
    /// "bf16" or "transformer=bf16,vae=fp32" (an entry without a name sets the default). Empty items and a component
    /// (or the default) given twice are refused here; the converter refuses names that are not components.
    /// </summary>
    public static (DType Default, Dictionary<string, DType> PerComponent) ParseDtype(string? text)
    {
        var perComponent = new Dictionary<string, DType>(StringComparer.Ordinal);
        DType? fallback = null;
        if (text is null) return (DType.Float32, perComponent);
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0) throw new InvalidRequestException("--dtype", $"'{text}' has an empty item");
            int eq = part.IndexOf('=');
            if (eq < 0)
            {
                if (fallback is not null) throw new InvalidRequestException("--dtype", $"'{text}' gives the default precision twice");
                fallback = DTypeInfo.ParseFloat(part, "--dtype");
                continue;
            }
            string name = part[..eq].Trim();
            if (name.Length == 0) throw new InvalidRequestException("--dtype", $"'{part}' has no component name");
            if (perComponent.ContainsKey(name)) throw new InvalidRequestException("--dtype", $"component '{name}' is given twice in '{text}'");
            perComponent[name] = DTypeInfo.ParseFloat(part[(eq + 1)..].Trim(), "--dtype");
        }
        return (fallback ?? DType.Float32, perComponent);
    }
}
