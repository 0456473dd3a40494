using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime.Configuration;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Pipelines;

namespace FastVideo.Onnx.Cli.Benchmarks;

/// <summary>
/// <c>bench run</c>: measures a model's components and its whole text-to-video run at real sizes with random weights
/// in the real configuration of a folder (no downloads). The family comes from model_index.json (Wan2.1, Wan2.2,
/// FastWan, LTX-Video), the settings from the preset that matches the configuration with the command line's sizes;
/// the model is converted into the work folder once, then each part is timed after warm-up runs, with the GPU memory
/// peak of each part.
/// </summary>
internal sealed class ModelBenchmark
{
    readonly BenchmarkOptions _options;
    readonly BenchmarkRecorder _recorder;
    readonly FamilyBenchmark _family;

    /// <summary>The settings every part runs with: the matching preset's, with the command line's sizes, steps and text length.</summary>
    public SamplingDefaults Sampling { get; }

    public string PipelineClass { get; }

    public IReadOnlyList<BenchMeasurement> Results => _recorder.Results;

    /// <summary>
    /// Reads the configuration and checks the options against it (before anything is converted); results go to
    /// <paramref name="jsonPath"/> as they come when given.
    /// </summary>
    public ModelBenchmark(BenchmarkOptions options, TextWriter log, string? jsonPath = null)
    {
        _options = options;
        if (!Directory.Exists(options.ConfigFolder)) throw new InvalidRequestException("--config-dir", $"{options.ConfigFolder} does not exist");
        foreach (var part in options.Parts)
            if (part != "none" && !BenchmarkOptions.AllParts.Contains(part))
                throw new InvalidRequestException("--parts", $"unknown part '{part}' ({string.Join(", ", BenchmarkOptions.AllParts)}, or none to convert only)");
        var index = ModelIndex.Load(options.ConfigFolder);
        PipelineClass = index.PipelineClass;
        var transformer = JsonConfig.Load(Path.Combine(options.ConfigFolder, "transformer", "config.json"));
        var preset = PresetCatalog.Default.Find(index.PipelineClass, transformer, index.Json);
        var defaults = preset?.Sampling ?? new SamplingDefaults();
        Sampling = defaults with
        {
            Height = options.Height ?? defaults.Height,
            Width = options.Width ?? defaults.Width,
            NumFrames = options.Frames ?? defaults.NumFrames,
            Steps = options.Steps ?? defaults.Steps,
            MaxSequenceLength = options.TextTokens ?? defaults.MaxSequenceLength,
            VsaSparsity = options.VsaSparsities is { Count: > 0 } s ? s[0] : defaults.VsaSparsity,
        };
        _recorder = new BenchmarkRecorder(options.Runtime.DeviceId, log, jsonPath);
        _family = index.PipelineClass switch
        {
            "LTXPipeline" => new LtxBenchmark(options, Sampling, _recorder),
            _ when index.PipelineClass.StartsWith("Wan", StringComparison.Ordinal) => new WanBenchmark(options, Sampling, _recorder),
            _ => throw new InvalidRequestException("--config-dir", $"{options.ConfigFolder}: pipeline '{index.PipelineClass}' has no benchmark (Wan pipelines, LTXPipeline)"),
        };
        Check();
        log.WriteLine($"{index.PipelineClass}{(preset is null ? "" : $" (preset {preset.Name})")}: {Sampling.NumFrames}x{Sampling.Height}x{Sampling.Width}, " +
            $"{(Sampling.DmdSteps is { } dmd ? $"{dmd.Length} DMD steps, VSA sparsity {Sampling.VsaSparsity:0.##}" : $"{Sampling.Steps} steps")}, {Sampling.MaxSequenceLength} text tokens");
    }

    void Check()
    {
        int multiple = _family.SizeMultiple;
        if (Sampling.Height <= 0 || Sampling.Height % multiple != 0)
            throw new InvalidRequestException("--height", $"{Sampling.Height} must be a positive multiple of {multiple} for this model");
        if (Sampling.Width <= 0 || Sampling.Width % multiple != 0)
            throw new InvalidRequestException("--width", $"{Sampling.Width} must be a positive multiple of {multiple} for this model");
        int t = _family.Latents.TemporalCompression;
        if (Sampling.NumFrames < 1 || (Sampling.NumFrames - 1) % t != 0)
            throw new InvalidRequestException("--num-frames", $"{Sampling.NumFrames} must be 1 + a multiple of {t} for this model (e.g. {_family.Latents.RoundFrames(Math.Max(1, Sampling.NumFrames))})");
        if (Sampling.Steps < 1) throw new InvalidRequestException("--steps", $"{Sampling.Steps} must be at least 1");
        if (Sampling.MaxSequenceLength < 1) throw new InvalidRequestException("--text-tokens", $"{Sampling.MaxSequenceLength} must be at least 1");
        if (_options.Repeats < 1) throw new InvalidRequestException("--repeats", $"{_options.Repeats} must be at least 1");
        foreach (double s in _options.VsaSparsities ?? Array.Empty<double>())
            if (!(s >= 0 && s < 1)) throw new InvalidRequestException("--vsa-sparsity", $"{s} must be at least 0 and below 1 (the share of key tiles skipped)");
    }

    /// <summary>Converts the random-weight model for the requested parts (once); returns its folder.</summary>
    public string PrepareModel() => RandomWeightModel.Prepare(_options, _recorder.Log);

    public void Run(string model)
    {
        using var device = ExecutionDevice.Create(_options.Runtime);
        // The transformer gets its own profiled device when asked, so the other components stay unprofiled.
        if (_options.ProfileFolder is not null) Directory.CreateDirectory(_options.ProfileFolder);
        using var profiled = _options.ProfileFolder is null ? null
            : ExecutionDevice.Create(_options.Runtime with { ProfilePrefix = Path.Combine(_options.ProfileFolder, "transformer") });
        if (_options.Parts.Contains(BenchmarkOptions.Transformer)) _family.RunTransformer(model, device, profiled);
        if (_options.Parts.Contains(BenchmarkOptions.Vae)) RunVae(model, device);
        if (_options.Parts.Contains(BenchmarkOptions.Text)) _family.RunText(model, device);
        if (_options.Parts.Contains(BenchmarkOptions.EndToEnd)) EndToEndBenchmark.Run(model, _options, Sampling, _recorder, device);
    }

    /// <summary>
    /// The VAE part; with --profile on a device of its own whose sessions write their profiles (vae_*.json) when the
    /// runner closes them, summarised here.
    /// </summary>
    void RunVae(string model, ExecutionDevice device)
    {
        if (_options.ProfileFolder is not string folder)
        {
            _family.RunVae(model, device);
            return;
        }
        string prefix = Path.Combine(folder, "vae");
        // The device closes inside the run, so its own sessions (the host/device copies) have written their profiles too.
        ProfileSummary.PrintNew(prefix, () =>
        {
            using var profiled = ExecutionDevice.Create(_options.Runtime with { ProfilePrefix = prefix });
            _family.RunVae(model, profiled);
        }, _recorder.Log);
    }

    public void Print(TextWriter output) => _recorder.Print(output);
}
