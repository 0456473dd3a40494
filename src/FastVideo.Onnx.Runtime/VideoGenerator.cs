using System.Diagnostics;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Configuration;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime;

/// <summary>How a generator is set up.</summary>
public sealed record GeneratorOptions
{
    public RuntimeOptions Runtime { get; init; } = new();

    /// <summary>Sampling defaults; null: the preset named by <see cref="Preset"/>, else the preset matching the model, else Diffusers' defaults.</summary>
    public SamplingDefaults? Sampling { get; init; }

    public string? Preset { get; init; }

    /// <summary>Receives one-line notices (provider fallback, preset chosen).</summary>
    public Action<string>? Notice { get; init; }

    /// <summary>Extra assemblies to search for pipelines (new model families).</summary>
    public System.Reflection.Assembly[] PipelineAssemblies { get; init; } = Array.Empty<System.Reflection.Assembly>();
}

/// <summary>
/// Loads a converted model folder and generates videos from it: <c>model_index.json</c>'s <c>_class_name</c> picks the
/// pipeline (by registry), every component's session is created once here, and each request runs the pipeline's
/// stages. One request runs at a time per generator; dispose it to release sessions and device memory.
/// </summary>
public sealed class VideoGenerator : IDisposable
{
    readonly VideoPipeline _pipeline;
    readonly ExecutionDevice _device;
    readonly SemaphoreSlim _gate = new(1, 1);

    public string ModelFolder { get; }
    public string PipelineClass { get; }
    public SamplingDefaults Defaults { get; }
    public string? PresetName { get; }
    public ExecutionProvider Provider => _device.Provider;
    public TimeSpan LoadTime { get; }
    public IReadOnlyList<(string Component, TimeSpan Elapsed)> SessionCreationTimes => _pipeline.SessionCreationTimes;

    VideoGenerator(string folder, VideoPipeline pipeline, ExecutionDevice device, string pipelineClass, SamplingDefaults defaults, string? preset, TimeSpan load)
    {
        ModelFolder = folder;
        _pipeline = pipeline;
        _device = device;
        PipelineClass = pipelineClass;
        Defaults = defaults;
        PresetName = preset;
        LoadTime = load;
    }

    /// <summary>The preset for a converted model folder: by name, else by matching its pipeline and transformer.</summary>
    public static ModelPreset? ResolvePreset(string modelFolder, string? name)
    {
        if (name is not null) return PresetCatalog.Default.Get(name);
        var model = ConvertedModel.Load(modelFolder);
        var transformer = ComponentFolder.Open(modelFolder, TransformerRunner.ComponentName).Config();
        return PresetCatalog.Default.Find(model.Pipeline, transformer, JsonConfig.Load(Path.Combine(modelFolder, ModelIndex.FileName)));
    }

    public static VideoGenerator FromPretrained(string modelFolder, GeneratorOptions? options = null)
    {
        options ??= new GeneratorOptions();
        var clock = Stopwatch.StartNew();
        var model = ConvertedModel.Load(modelFolder);
        string? presetName = null;
        var sampling = options.Sampling;
        if (sampling is null)
        {
            var preset = ResolvePreset(modelFolder, options.Preset);
            sampling = preset?.Sampling ?? new SamplingDefaults();
            presetName = preset?.Name;
        }
        var device = ExecutionDevice.Create(options.Runtime, options.Notice);
        try
        {
            var registry = new PipelineRegistry(options.PipelineAssemblies);
            var context = new PipelineContext(modelFolder, model, device, sampling, options.Notice);
            var pipeline = registry.Create(model.Pipeline, context, Path.Combine(modelFolder, ModelIndex.FileName));
            return new VideoGenerator(modelFolder, pipeline, device, model.Pipeline, sampling, presetName, clock.Elapsed);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Generates one video. Cancellation stops between steps (and stages) with <see cref="OperationCanceledException"/>.
    /// <paramref name="stepEnd"/>, when given, receives the latents after each denoising step.
    /// </summary>
    public async Task<GenerationResult> GenerateAsync(GenerationRequest request, IProgress<GenerationProgress>? progress = null,
        CancellationToken cancel = default, Action<int, HostTensor>? stepEnd = null)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => _pipeline.Run(request, progress, cancel, stepEnd), cancel).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The synchronous form of <see cref="GenerateAsync"/>.</summary>
    public GenerationResult Generate(GenerationRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancel = default,
        Action<int, HostTensor>? stepEnd = null)
    {
        _gate.Wait(cancel);
        try
        {
            return _pipeline.Run(request, progress, cancel, stepEnd);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _pipeline.Dispose();
        _device.Dispose();
        _gate.Dispose();
    }
}
