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
        usage: fastvideo-onnx bench run --config-dir DIR --work DIR [--dtype bf16] [--vae-dtype fp16] [--text-dtype bf16]
                 [--device cuda] [--parts transformer,vae,text,e2e] [--height H --width W --num-frames F]
                 [--steps N] [--text-tokens N] [--vsa-sparsity 0.8[,0]] [--repeats 5] [--json FILE] [--profile DIR]
                 [--kernels auto|off|PATH] [--no-portable]
               fastvideo-onnx bench precision [--device cuda] [--dtypes fp16,bf16] [--fixtures DIR|none] [--fastwan-fixtures DIR|none]
                 [--ltx-fixtures DIR|none] [--wan22-fixtures DIR|none] [--work DIR]
               fastvideo-onnx bench random-model --config-dir DIR --output DIR [--components LIST] [--dtype bf16] [--shard-gb N]
               fastvideo-onnx bench soak [--model DIR] [--runs 1000] [--every 100] [--max-growth 5] [--device cpu]

          run            convert a random-weight model in the real configuration of --config-dir (a Wan2.1,
                         Wan2.2 TI2V/A14B, FastWan or LTX-Video folder such as models/configs/wan2.2-ti2v-5b)
                         into --work (once), then time the transformer forward (batch 1 and 2; Wan2.2 TI2V
                         with per-token timesteps, LTX on packed tokens, FastWan's VSA at each
                         --vsa-sparsity), the VAE decode (LTX's with its decode timestep), the text encoder
                         (UMT5 or T5) and the whole text-to-video run (FastWan: its 3 DMD steps), with
                         session creation times, each stage's time and GPU memory peaks. Sizes, steps and
                         text length default to the preset matching the configuration. Prints a Markdown
                         table and JSON (each entry names its part; --json FILE is rewritten after each
                         result, so a stopped run keeps what it measured). With the kernel library in use,
                         the portable Wan graphs are measured beside the fused ones unless --no-portable.
          precision      convert the tiny model at each precision, run it on --device and compare every
                         component and the pipeline with the Diffusers reference in --fixtures (default
                         tests/fixtures/wan-tiny; none to skip); then the same for the tiny FastWan model in
                         --fastwan-fixtures (default tests/fixtures/fastwan-tiny; none to skip): its VSA
                         transformer at sparsity 0 and 0.75 and the DMD pipeline against FastVideo's
                         references; then the tiny LTX-Video pipeline in --ltx-fixtures (default
                         tests/fixtures/ltx-tiny; none to skip): each step's latents, the final latents
                         and the video against Diffusers' LTXPipeline; then the tiny Wan2.2 TI2V model in
                         --wan22-fixtures (default tests/fixtures/wan22-tiny; none to skip): its text-to-video
                         final latents (cosine >= 0.999). Exits 1 when any comparison fails.

          soak           generate --runs videos with one generator in one process (default: the built-in tiny
                         model at its preset's settings), each written as an AVI, printing resident memory
                         and the managed heap every --every runs. Exits 1 when resident memory grew by more
                         than --max-growth percent from the first sample (after warm-up) to the last.

          random-model   copy a folder of configs (model_index.json + component config.json files, e.g.
                         models/configs/wan2.1-t2v-1.3b) to --output and fill each model component with
                         random weights in the published layout (sharded safetensors). For measuring
                         conversion at real sizes; never commit the result.
        """;

    public static readonly string[] ValueOptions =
    {
        "config-dir", "output", "components", "dtype", "shard-gb", "work", "vae-dtype", "text-dtype", "device", "parts",
        "height", "width", "num-frames", "steps", "repeats", "json", "dtypes", "fixtures", "profile", "kernels",
        "model", "runs", "every", "max-growth", "fastwan-fixtures", "ltx-fixtures", "wan22-fixtures", "text-tokens", "vsa-sparsity",
    };
    public static readonly string[] FlagOptions = { "help", "force", "no-portable" };

    public static int Run(CommandArgs args, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        string sub = args.Positional(0, "a bench command (random-model)");
        return sub switch
        {
            "random-model" => RandomModel(args, stdout, stderr),
            "run" => RunBenchmark(args, stdout, stderr),
            "precision" => Precision(args, stdout, stderr),
            "soak" => Soak(args, stdout, stderr, cancel),
            _ => throw new UsageException($"unknown bench command '{sub}' (run, precision, random-model, soak)"),
        };
    }

    // Runtime settings come from FASTVIDEO_Runtime__* environment variables like everywhere else, then these options.
    static Runtime.Execution.RuntimeOptions RuntimeOf(CommandArgs args) =>
        Runtime.Configuration.GeneratorSettings.Build(null, null, null).Runtime with
        {
            Device = Runtime.Execution.ExecutionProviderNames.Parse(args.Value("device") ?? "cuda"),
            KernelLibrary = args.Value("kernels") ?? "auto",
        };

    static int RunBenchmark(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        args.NoMorePositionals(1);
        var options = new Benchmarks.BenchmarkOptions
        {
            ConfigFolder = args.Required("config-dir"),
            WorkFolder = args.Required("work"),
            TransformerPrecision = DTypeInfo.ParseFloat(args.Value("dtype") ?? "bf16", "--dtype"),
            VaePrecision = DTypeInfo.ParseFloat(args.Value("vae-dtype") ?? "fp16", "--vae-dtype"),
            TextPrecision = DTypeInfo.ParseFloat(args.Value("text-dtype") ?? "bf16", "--text-dtype"),
            Runtime = RuntimeOf(args),
            // "none" converts the random-weight model and stops (to split long runs across calls)
            Parts = (args.Value("parts") ?? string.Join(",", Benchmarks.BenchmarkOptions.AllParts))
                .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(),
            Height = args.Int("height"),
            Width = args.Int("width"),
            Frames = args.Int("num-frames"),
            Steps = args.Int("steps"),
            TextTokens = args.Int("text-tokens"),
            VsaSparsities = Sparsities(args.Value("vsa-sparsity")),
            Repeats = args.Int("repeats") ?? 5,
            ProfileFolder = args.Value("profile"),
            WithPortable = !args.Flag("no-portable"),
        };
        var bench = new Benchmarks.ModelBenchmark(options, stderr, args.Value("json"));
        Directory.CreateDirectory(options.WorkFolder);
        string model = bench.PrepareModel();
        if (options.Parts.SetEquals(new[] { "none" })) return 0;
        bench.Run(model);
        bench.Print(stdout);
        return 0;
    }

    /// <summary><c>--vsa-sparsity 0.8,0</c>: the sparsities a VSA forward is timed at (the whole run uses the first).</summary>
    static double[]? Sparsities(string? value) => value?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(v => double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d)
            ? d : throw new InvalidRequestException("--vsa-sparsity", $"'{v}' is not a number (a comma-separated list such as 0.8,0)"))
        .ToArray();

    static int Precision(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        args.NoMorePositionals(1);
        var dtypes = (args.Value("dtypes") ?? "fp16,bf16").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => DTypeInfo.ParseFloat(d, "--dtypes")).ToList();
        string work = args.Value("work") ?? Path.Combine(Path.GetTempPath(), $"fastvideo-precision-{Environment.ProcessId}");
        string? fixtures = args.Value("fixtures") ?? Path.Combine("tests", "fixtures", "wan-tiny");
        if (fixtures == "none") fixtures = null;
        else if (!File.Exists(Path.Combine(fixtures, "reference.safetensors")))
            throw new InvalidRequestException("--fixtures", $"{fixtures} has no reference.safetensors (none skips the Wan model)");
        string? fastWan = args.Value("fastwan-fixtures") ?? Path.Combine("tests", "fixtures", "fastwan-tiny");
        if (fastWan == "none") fastWan = null;
        else if (!File.Exists(Path.Combine(fastWan, "reference.safetensors")) || !Directory.Exists(Path.Combine(fastWan, Benchmarks.PrecisionCheck.FastWanModelFolder)))
            throw new InvalidRequestException("--fastwan-fixtures", $"{fastWan} needs reference.safetensors and the {Benchmarks.PrecisionCheck.FastWanModelFolder}/ model folder (none skips FastWan)");
        string? ltx = args.Value("ltx-fixtures") ?? Path.Combine("tests", "fixtures", "ltx-tiny");
        if (ltx == "none") ltx = null;
        else if (!File.Exists(Path.Combine(ltx, "reference.safetensors")) || !Directory.Exists(Path.Combine(ltx, Benchmarks.PrecisionCheck.LtxModelFolder)))
            throw new InvalidRequestException("--ltx-fixtures", $"{ltx} needs reference.safetensors and the {Benchmarks.PrecisionCheck.LtxModelFolder}/ model folder (none skips LTX-Video)");
        string? wan22 = args.Value("wan22-fixtures") ?? Path.Combine("tests", "fixtures", "wan22-tiny");
        if (wan22 == "none") wan22 = null;
        else if (!File.Exists(Path.Combine(wan22, "reference.safetensors")) || !Directory.Exists(Path.Combine(wan22, Benchmarks.PrecisionCheck.Wan22ModelFolder)))
            throw new InvalidRequestException("--wan22-fixtures", $"{wan22} needs reference.safetensors and the {Benchmarks.PrecisionCheck.Wan22ModelFolder}/ model folder (none skips Wan2.2)");
        if (fixtures is null && fastWan is null && ltx is null && wan22 is null)
            throw new InvalidRequestException("--fixtures", "none, and --fastwan-fixtures, --ltx-fixtures and --wan22-fixtures none: nothing to check");
        Directory.CreateDirectory(work);
        try
        {
            var check = new Benchmarks.PrecisionCheck(EmbeddedModel.SourceFolder, fixtures, fastWan, ltx, wan22, work, RuntimeOf(args), stdout);
            var results = check.Run(dtypes);
            int failed = results.Count(r => !r.Passed);
            stdout.WriteLine(failed == 0 ? $"all {results.Count} comparisons pass (cosine >= {Benchmarks.PrecisionCheck.MinimumCosine})" : $"{failed} of {results.Count} comparisons FAILED");
            return failed == 0 ? 0 : 1;
        }
        finally
        {
            if (args.Value("work") is null) Directory.Delete(work, true);
        }
    }

    static int Soak(CommandArgs args, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        args.NoMorePositionals(1);
        int runs = args.Int("runs") ?? 1000;
        int every = args.Int("every") ?? 100;
        double maxGrowth = args.Double("max-growth") ?? 5;
        if (runs < 1) throw new InvalidRequestException("--runs", $"{runs} must be at least 1");
        if (every < 1) throw new InvalidRequestException("--every", $"{every} must be at least 1");
        if (!(maxGrowth >= 0)) throw new InvalidRequestException("--max-growth", $"{maxGrowth} must be zero or positive (percent)");
        string model = args.Value("model") ?? EmbeddedModel.Converted(m => stderr.WriteLine($"note: {m}"), cancel);
        var runtime = RuntimeOf(args) with { Device = Runtime.Execution.ExecutionProviderNames.Parse(args.Value("device") ?? "cpu") };
        var samples = new Benchmarks.SoakTest(model, runtime, runs, every, stdout).Run(cancel);
        double growth = Benchmarks.SoakTest.RssGrowthPercent(samples);
        stdout.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"rss growth after warm-up {growth:F2}% (limit {maxGrowth}%), managed heap {Benchmarks.SoakTest.ManagedGrowthPercent(samples):F2}%"));
        return growth <= maxGrowth ? 0 : 1;
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
