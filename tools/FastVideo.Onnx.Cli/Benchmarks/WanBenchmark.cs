using System.Diagnostics;
using System.Text.Json;
using FastVideo.Onnx.Cli.Console;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Components.Umt5;
using FastVideo.Onnx.Runtime.Components.Wan;
using FastVideo.Onnx.Runtime.Diagnostics;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Noise;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Tensors;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Cli.Benchmarks;

/// <summary>What to measure and how.</summary>
public sealed record WanBenchmarkOptions
{
    public required string ConfigFolder { get; init; }
    public required string WorkFolder { get; init; }
    public DType TransformerPrecision { get; init; } = DType.BFloat16;
    public DType VaePrecision { get; init; } = DType.Float16;
    public DType TextPrecision { get; init; } = DType.BFloat16;
    public RuntimeOptions Runtime { get; init; } = new() { Device = ExecutionProvider.Cuda };
    public IReadOnlySet<string> Parts { get; init; } = new HashSet<string> { "transformer", "vae", "text", "e2e" };
    public int Height { get; init; } = 480;
    public int Width { get; init; } = 832;
    public int Frames { get; init; } = 81;
    public int Steps { get; init; } = 50;
    public int TextTokens { get; init; } = 512;
    public int Repeats { get; init; } = 5;

    /// <summary>Also measure the portable graphs (standard and ONNX Runtime operators only) when the kernel library is in use.</summary>
    public bool WithPortable { get; init; } = true;

    /// <summary>Write ONNX Runtime's per-node profile of the transformer runs here and summarise it by operator.</summary>
    public string? ProfileFolder { get; init; }
}

/// <summary>
/// Measures the Wan2.1 components and the whole text-to-video pipeline at real sizes with random weights in the real
/// configuration (no downloads): the model is converted with synthetic weights into the work folder once, then each
/// part is timed after warm-up runs, with the GPU memory peak of each part.
/// </summary>
public sealed class WanBenchmark(WanBenchmarkOptions options, TextWriter log)
{
    readonly List<BenchMeasurement> _results = new();

    public IReadOnlyList<BenchMeasurement> Results => _results;

    static readonly string[] AllComponents = { "transformer", "vae", "text_encoder", "tokenizer", "scheduler" };

    public string PrepareModel()
    {
        string source = Path.Combine(options.WorkFolder, "source");
        // Only the components the requested parts use are converted (the UMT5-XXL encoder alone is 11 GB).
        var components = new HashSet<string>();
        if (options.Parts.Contains("e2e")) components.UnionWith(AllComponents);
        if (options.Parts.Contains("transformer")) components.Add("transformer");
        if (options.Parts.Contains("vae")) components.Add("vae");
        if (options.Parts.Contains("text")) components.UnionWith(new[] { "text_encoder", "tokenizer" });
        if (components.Count == 0) components.UnionWith(AllComponents);
        string precisions = $"t-{options.TransformerPrecision.ShortName()}-v-{options.VaePrecision.ShortName()}-x-{options.TextPrecision.ShortName()}";
        string Folder(IEnumerable<string> names) =>
            Path.Combine(options.WorkFolder, $"onnx-{precisions}-" + string.Join("+", names.OrderBy(c => c, StringComparer.Ordinal)));
        string converted = Folder(components);
        // A folder converted with every component (--parts none, or all parts) serves any part.
        string everything = Folder(AllComponents);
        foreach (var candidate in new[] { converted, everything })
            if (ConvertedModel.IsConverted(candidate))
            {
                log.WriteLine($"using the converted model in {candidate}");
                return candidate;
            }
        if (Directory.Exists(source)) Directory.Delete(source, true);
        foreach (var file in Directory.GetFiles(options.ConfigFolder, "*.json", SearchOption.AllDirectories))
        {
            string target = Path.Combine(source, Path.GetRelativePath(options.ConfigFolder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        // Token ids only need to be valid: the tiny model's tokenizer stands in for UMT5's (no download).
        string tokenizer = Path.Combine(Commands.EmbeddedModel.SourceFolder, "tokenizer");
        Directory.CreateDirectory(Path.Combine(source, "tokenizer"));
        foreach (var file in Directory.GetFiles(tokenizer)) File.Copy(file, Path.Combine(source, "tokenizer", Path.GetFileName(file)), overwrite: true);

        var clock = Stopwatch.StartNew();
        var bar = ProgressBar.ForStderr(log);
        new ModelConverter().Convert(new ConversionRequest(source, converted)
        {
            Force = true,
            Components = components,
            ComponentPrecision = new Dictionary<string, DType>
            {
                ["transformer"] = options.TransformerPrecision, ["vae"] = options.VaePrecision, ["text_encoder"] = options.TextPrecision,
            },
            SyntheticWeights = parameters => new RandomWeights(parameters, DType.BFloat16),
        }, new Core.Progress.CallbackProgress<ConversionProgress>(p => bar.Update((double)p.Bytes / Math.Max(1, p.Total), p.Component,
            $"{ProgressBar.Bytes(p.Bytes)} / {ProgressBar.Bytes(p.Total)}")));
        bar.Done();
        log.WriteLine($"converted random-weight model in {clock.Elapsed.TotalSeconds:F0} s -> {converted}");
        return converted;
    }

    public void Run(string model)
    {
        using var device = ExecutionDevice.Create(options.Runtime);
        int id = options.Runtime.DeviceId;
        long f = (options.Frames - 1) / 4 + 1, h = options.Height / 8, w = options.Width / 8;
        var generator = new TorchGenerator(0);

        // The transformer gets its own profiled device when asked, so the other components stay unprofiled.
        using var profiled = options.ProfileFolder is null ? null
            : ExecutionDevice.Create(options.Runtime with { ProfilePrefix = Path.Combine(options.ProfileFolder, "transformer") });
        if (options.Parts.Contains("transformer"))
        {
            // The graph the runtime would pick (fused kernels when the library is there), and the portable graph beside it.
            var variants = new List<(string Label, ExecutionDevice Device)> { ("", options.ProfileFolder is null ? device : profiled!) };
            using var portableDevice = PortableDevice(device);
            if (portableDevice is not null) variants.Add((" (portable graph)", portableDevice));
            foreach (var (label, variantDevice) in variants)
            {
                long baseline = Baseline(device, id);
                var clock = Stopwatch.StartNew();
                var transformer = WanTransformerRunner.Open(new ComponentRequest(model, "transformer", variantDevice)
                {
                    Notice = log.WriteLine, ExpectedShape = new TransformerShape(1, f, h, w), ExpectedTextTokens = options.TextTokens,
                });
                clock.Stop();
                _results.Add(BenchMeasurement.From("session creation: transformer" + label, options.TransformerPrecision.ShortName(),
                    new[] { clock.Elapsed.TotalMilliseconds }, baseline < 0 ? -1 : GpuMemoryMonitor.Used(id) - baseline, $"InferenceSession of {transformer.GraphFile} (weights on the GPU)"));
                using (transformer)
                {
                    foreach (int batch in new[] { 1, 2 })
                    {
                        var hidden = variantDevice.Upload(generator.Randn(batch, 16, f, h, w), new[] { (long)batch, 16, f, h, w });
                        var text = variantDevice.Upload(generator.Randn(batch, options.TextTokens, transformer.TextDim), new[] { (long)batch, options.TextTokens, transformer.TextDim });
                        var output = variantDevice.Pool.Rent(TensorElementType.Float, batch, transformer.OutChannels, f, h, w);
                        var timesteps = Enumerable.Repeat(999f, batch).ToArray();
                        Measure($"transformer forward, batch {batch}{label}", options.TransformerPrecision, baseline, options.Repeats, 2,
                            () => transformer.Run(hidden, timesteps, text, null, output),
                            $"{transformer.GraphFile}, {f * h * w / 4} tokens ({options.Frames}x{options.Height}x{options.Width}), {options.TextTokens} text tokens");
                        variantDevice.Pool.Return(hidden);
                        variantDevice.Pool.Return(text);
                        variantDevice.Pool.Return(output);
                    }
                    if (options.ProfileFolder is not null && ReferenceEquals(variantDevice, profiled)) ProfileSummary.Print(transformer.EndProfiling(), log);
                }
            }
        }

        if (options.Parts.Contains("vae"))
        {
            // The graphs the runtime would pick (fused kernels when the library is there), and the portable graphs beside them.
            var latents = new HostTensor(generator.Randn(1, 16, f, h, w), new[] { 1L, 16, f, h, w });
            var variants = new List<(string Label, ExecutionDevice Device)> { ("", device) };
            using var portableDevice = PortableDevice(device);
            if (portableDevice is not null) variants.Add((" (portable graphs)", portableDevice));
            foreach (var (label, variantDevice) in variants)
            {
                long baseline = Baseline(device, id);
                using var vae = WanVaeRunner.Open(new ComponentRequest(model, "vae", variantDevice) { Notice = log.WriteLine });
                Measure($"VAE decode {f}x{h}x{w} latents{label}", options.VaePrecision, baseline, Math.Max(2, options.Repeats / 2), 1,
                    () => vae.Decode(latents), $"{string.Join(" + ", vae.GraphFiles)}, {(f - 1) * 4 + 1} frames at {options.Height}x{options.Width}, frames copied to host");
            }
        }

        if (options.Parts.Contains("text"))
        {
            long baseline = Baseline(device, id);
            using var text = Umt5TextEncoderRunner.Open(new ComponentRequest(model, "text_encoder", device));
            Measure($"UMT5 encoder, {options.TextTokens} tokens", options.TextPrecision, baseline, options.Repeats, 2,
                () => text.Encode("A red fox runs through fresh snow at sunrise, cinematic lighting.", options.TextTokens), "batch 1");
        }

        if (options.Parts.Contains("e2e"))
        {
            var load = Stopwatch.StartNew();
            long baseline = Baseline(device, id);
            using var video = VideoGenerator.FromPretrained(model, new GeneratorOptions
            {
                Runtime = options.Runtime,
                Sampling = new SamplingDefaults { Height = options.Height, Width = options.Width, NumFrames = options.Frames, Steps = options.Steps, GuidanceScale = 5.0, MaxSequenceLength = options.TextTokens },
            });
            load.Stop();
            _results.Add(BenchMeasurement.From("session creation: whole pipeline", options.TransformerPrecision.ShortName(), new[] { load.Elapsed.TotalMilliseconds },
                baseline < 0 ? -1 : GpuMemoryMonitor.Used(id) - baseline, "text encoder, transformer, VAE"));
            var request = new GenerationRequest { Prompt = "A red fox runs through fresh snow at sunrise, cinematic lighting.", Seed = 0 };
            // Warm-up as the PyTorch baseline does (2 steps and a decode): first-use work such as cuDNN's convolution search
            // and the matmul autotuning stays out of the timed run.
            video.Generate(request with { Steps = 2 });
            var bar = ProgressBar.ForStderr(log);
            GenerationResult? result = null;
            var clock = Stopwatch.StartNew();
            var memory = GpuMemoryMonitor.Start(id);
            {
                result = video.Generate(request, new Core.Progress.CallbackProgress<GenerationProgress>(p =>
                {
                    if (p.Steps > 0) bar.Update((double)p.Step / p.Steps, "e2e denoising", $"step {p.Step}/{p.Steps}");
                }));
                clock.Stop();
                bar.Done();
                string stages = string.Join(", ", result.Timings.Select(t => $"{t.Stage} {t.Elapsed.TotalSeconds:F2} s"));
                _results.Add(BenchMeasurement.From($"text-to-video {options.Frames}x{options.Height}x{options.Width}, {options.Steps} steps, guidance 5",
                    options.TransformerPrecision.ShortName(), new[] { clock.Elapsed.TotalMilliseconds }, baseline < 0 ? -1 : memory.Peak - baseline, stages));
                memory.Dispose();
            }
        }
    }

    /// <summary>A device without the kernel library, to measure the portable graphs beside the fused ones; null when not asked or when the fused graphs are not in use.</summary>
    ExecutionDevice? PortableDevice(ExecutionDevice device) =>
        device.KernelLibraryPath is null || !options.WithPortable ? null : ExecutionDevice.Create(options.Runtime with { KernelLibrary = "off" });

    /// <summary>
    /// The used GPU memory before a part's sessions are created. Cached arena memory is handed back first: with the
    /// shared arena, what earlier parts freed would otherwise sit in the baseline and hide part of this part's peak.
    /// </summary>
    static long Baseline(ExecutionDevice device, int id)
    {
        device.ReleaseCachedMemory();
        return GpuMemoryMonitor.Used(id);
    }

    /// <summary>
    /// Times <paramref name="action"/>. Memory peaks are reported above <paramref name="baseline"/> (taken before the
    /// component's sessions were created, so they count weights and activations, like torch's max_memory_allocated):
    /// one for the timed runs and one for the warm-up runs, which carry first-use work (cuDNN's algorithm search).
    /// </summary>
    BenchMeasurement Measure(string what, DType precision, long baseline, int repeats, int warmup, Action action, string detail = "")
    {
        long warmupPeak = PeakDuring(() =>
        {
            for (int i = 0; i < warmup; i++) action();
        }, baseline);
        var times = new List<double>();
        long peak = PeakDuring(() =>
        {
            for (int i = 0; i < repeats; i++)
            {
                var clock = Stopwatch.StartNew();
                action();
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }, baseline);
        var m = BenchMeasurement.From(what, precision.ShortName(), times, peak, detail, warmupPeak);
        _results.Add(m);
        log.WriteLine($"{what}: min {m.MinMs:F1} ms, median {m.MedianMs:F1} ms, GPU peak {GiB(m.PeakGpuGiB)} GiB (warm-up {GiB(m.WarmupPeakGpuGiB)} GiB)");
        return m;
    }

    /// <summary>The GPU memory peak during <paramref name="work"/> above <paramref name="baseline"/> (-1 without a baseline).</summary>
    long PeakDuring(Action work, long baseline)
    {
        var memory = GpuMemoryMonitor.Start(options.Runtime.DeviceId);
        try
        {
            work();
        }
        finally
        {
            memory.Dispose();
        }
        return baseline < 0 ? -1 : memory.Peak - baseline;
    }

    static string GiB(double? g) => g is double v ? v.ToString("F2") : "n/a";

    public void Print(TextWriter output, string? jsonPath)
    {
        output.WriteLine($"| what | precision | min ms | median ms | runs | GPU peak GiB above baseline | same, warm-up runs | detail |");
        output.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in _results)
            output.WriteLine($"| {r.What} | {r.Precision} | {r.MinMs:F1} | {r.MedianMs:F1} | {r.Runs} | {GiB(r.PeakGpuGiB)} | {GiB(r.WarmupPeakGpuGiB)} | {r.Detail} |");
        string json = JsonSerializer.Serialize(_results, new JsonSerializerOptions { WriteIndented = true });
        if (jsonPath is not null) File.WriteAllText(jsonPath, json);
        else output.WriteLine(json);
    }
}
