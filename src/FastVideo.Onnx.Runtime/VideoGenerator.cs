using System.Diagnostics;
using FastVideo.Onnx.Core.Errors;
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
    /// <summary>Where and how the ONNX Runtime sessions run (device, memory, threads).</summary>
    public RuntimeOptions Runtime { get; init; } = new();

    /// <summary>Sampling defaults; null: the preset named by <see cref="Preset"/>, else the preset matching the model, else Diffusers' defaults.</summary>
    public SamplingDefaults? Sampling { get; init; }

    /// <summary>The sampling preset to use by name; null picks the preset that matches the model.</summary>
    public string? Preset { get; init; }

    /// <summary>Receives one-line notices (provider fallback, preset chosen).</summary>
    public Action<string>? Notice { get; init; }

    /// <summary>Extra assemblies to search for pipelines and component runners (new model families).</summary>
    public System.Reflection.Assembly[] PipelineAssemblies { get; init; } = Array.Empty<System.Reflection.Assembly>();
}

/// <summary>
/// Loads a converted model folder and generates videos from it: <c>model_index.json</c>'s <c>_class_name</c> picks the
/// pipeline (by registry), every component's session is created once here, and each request runs the pipeline's
/// stages. Requests on one generator are serialised: a second call waits until the first has finished (each generator
/// owns one set of sessions and device buffers). Dispose releases sessions and device memory; it is safe at any moment:
/// a running request is cancelled (its ONNX Runtime call stopped), waiting requests end with
/// <see cref="ObjectDisposedException"/>, and the release happens when the running one has left native code.
/// </summary>
public sealed class VideoGenerator : IDisposable
{
    readonly VideoPipeline _pipeline;
    readonly ExecutionDevice _device;
    readonly Execution.MultiDevice.DevicePlacement _placement;
    readonly MemoryGuard _memory;
    readonly RequestRules _rules;
    readonly SemaphoreSlim _gate = new(1, 1);

    // Cancelled by Dispose: stops the running request and the ones waiting at the gate.
    readonly CancellationTokenSource _disposing = new();
    readonly object _lifetime = new();

    // Callers inside Generate/GenerateAsync (waiting at the gate or running): the last one out of a disposed generator
    // releases it, so sessions are never freed under a running call.
    int _callers;
    bool _disposed;
    bool _released;

    /// <summary>The converted model folder this generator loaded.</summary>
    public string ModelFolder { get; }
    /// <summary>The pipeline class of the model (its <c>_class_name</c>, e.g. <c>WanPipeline</c>).</summary>
    public string PipelineClass { get; }
    /// <summary>The sampling values used for request fields left unset (preset, then <see cref="GeneratorOptions.Sampling"/>).</summary>
    public SamplingDefaults Defaults { get; }
    /// <summary>The name of the preset in use, or null when none matched.</summary>
    public string? PresetName { get; }
    /// <summary>The execution provider the sessions run on (after any CPU fallback).</summary>
    public ExecutionProvider Provider => _device.Provider;
    /// <summary>The devices the pipeline runs on (the main one first).</summary>
    internal Execution.MultiDevice.DevicePlacement Placement => _placement;
    /// <summary>How long loading the model took.</summary>
    public TimeSpan LoadTime { get; }
    /// <summary>How long each component's session took to create.</summary>
    public IReadOnlyList<(string Component, TimeSpan Elapsed)> SessionCreationTimes => _pipeline.SessionCreationTimes;

    VideoGenerator(string folder, VideoPipeline pipeline, Execution.MultiDevice.DevicePlacement placement, MemoryGuard memory, RequestRules rules, string pipelineClass,
        SamplingDefaults defaults, string? preset, TimeSpan load)
    {
        ModelFolder = folder;
        _pipeline = pipeline;
        _placement = placement;
        _device = placement.Main;
        _memory = memory;
        _rules = rules;
        PipelineClass = pipelineClass;
        Defaults = defaults;
        PresetName = preset;
        LoadTime = load;
    }

    /// <summary>The preset for a converted model folder: by name, else by matching its pipeline and transformer.</summary>
    internal static ModelPreset? ResolvePreset(string modelFolder, string? name)
    {
        if (name is not null) return PresetCatalog.Default.Get(name);
        var model = ConvertedModel.Load(modelFolder);
        var transformer = ComponentFolder.Open(modelFolder, PresetComponent).Config();
        return PresetCatalog.Default.Find(model.Pipeline, transformer, JsonConfig.Load(Path.Combine(modelFolder, ModelIndex.FileName)));
    }

    /// <summary>The component whose config presets are matched by (with the pipeline class).</summary>
    const string PresetComponent = "transformer";

    /// <summary>The sampling defaults of <paramref name="options"/>: given, else the named or matching preset's, else Diffusers' defaults.</summary>
    static (SamplingDefaults Sampling, string? Preset) ResolveSampling(string modelFolder, GeneratorOptions options)
    {
        if (options.Sampling is { } given) return (given, null);
        var preset = ResolvePreset(modelFolder, options.Preset);
        return (preset?.Sampling ?? new SamplingDefaults(), preset?.Name);
    }

    /// <summary>Loads a converted model folder (the output of <c>fastvideo-onnx convert</c>) with the pipeline its <c>_class_name</c> names. Dispose the generator to release its sessions and device memory.</summary>
    public static VideoGenerator FromPretrained(string modelFolder, GeneratorOptions? options = null)
    {
        options ??= new GeneratorOptions();
        var clock = Stopwatch.StartNew();
        var model = ConvertedModel.Load(modelFolder);
        var (sampling, presetName) = ResolveSampling(modelFolder, options);
        // Every device of Runtime:DeviceIds (one unless set); the pipeline runs on the first, a second takes the denoiser
        // work Runtime:Parallelism gives it.
        var placement = Execution.MultiDevice.DevicePlacement.Create(options.Runtime, options.Notice);
        var device = placement.Main;
        try
        {
            if (!device.IsGpu) RequireCpuPrecision(modelFolder, model);
            var memory = new MemoryGuard(modelFolder, model, options.Runtime with { Device = device.Provider, DeviceId = device.Options.DeviceId });
            var registry = new PipelineRegistry(options.PipelineAssemblies);
            string source = Path.Combine(modelFolder, ModelIndex.FileName);
            var rules = registry.Rules(model.Pipeline, modelFolder, source);
            var context = new PipelineContext(modelFolder, model, device, sampling, options.Notice)
            {
                Runners = options.PipelineAssemblies.Length == 0 ? ComponentRunnerRegistry.Default : new ComponentRunnerRegistry(options.PipelineAssemblies),
                Placement = placement,
            };
            var pipeline = registry.Create(model.Pipeline, context, source);
            memory.Placement = placement.ForMemory(device.IsGpu);
            if (placement.Second is { } unused && !placement.SecondUsed && placement.Requested != Execution.MultiDevice.DeviceParallelism.None)
                options.Notice?.Invoke($"Runtime:DeviceIds: {model.Pipeline} places nothing on device {unused.Options.DeviceId}; it runs on device {device.Options.DeviceId} alone");
            return new VideoGenerator(modelFolder, pipeline, placement, memory, rules, model.Pipeline, sampling, presetName, clock.Elapsed);
        }
        catch
        {
            placement.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Refuses, before any session is created, a model whose graphs were converted at a GPU precision: ONNX Runtime's CPU
    /// provider has no bf16 kernels for most operators and few fp16 ones.
    /// </summary>
    static void RequireCpuPrecision(string modelFolder, ConvertedModel model)
    {
        var gpuOnly = model.Components
            .Where(c => c.Value.Kind == ConvertedComponent.Exported && c.Value.Precision is { } p && p != "fp32")
            .Select(c => $"{c.Key} {c.Value.Precision}")
            .OrderBy(c => c, StringComparer.Ordinal)
            .ToList();
        if (gpuOnly.Count == 0) return;
        throw new ModelFormatException(Path.Combine(modelFolder, ConvertedModel.FileName),
            $"the model was converted for GPUs ({string.Join(", ", gpuOnly)}), which the CPU cannot run: use --device cuda, or convert it for the CPU: " +
            $"fastvideo-onnx convert SRC --output DIR --dtype fp32");
    }

    /// <summary>
    /// Generates one video. Cancellation stops between steps (and stages), or inside a running ONNX Runtime call, with
    /// <see cref="OperationCanceledException"/>. <paramref name="stepEnd"/>, when given, receives the latents after each
    /// denoising step. A call made while another runs waits for it; after <see cref="Dispose"/> a call throws
    /// <see cref="ObjectDisposedException"/>.
    /// </summary>
    public async Task<GenerationResult> GenerateAsync(GenerationRequest request, IProgress<GenerationProgress>? progress = null,
        CancellationToken cancel = default, Action<int, HostTensor>? stepEnd = null)
    {
        Enter();
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, _disposing.Token);
            await WaitAtGate(() => _gate.WaitAsync(linked.Token), cancel).ConfigureAwait(false);
            try
            {
                // A generation blocks its thread for seconds to minutes: it gets a thread of its own, so that a server's
                // workers do not starve the thread pool its requests, timers and cluster messages run on.
                return await Task.Factory.StartNew(() => RunPipeline(request, progress, linked.Token, cancel, stepEnd), CancellationToken.None,
                    TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>The synchronous form of <see cref="GenerateAsync"/>.</summary>
    public GenerationResult Generate(GenerationRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancel = default,
        Action<int, HostTensor>? stepEnd = null)
    {
        Enter();
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, _disposing.Token);
            WaitAtGate(() =>
            {
                _gate.Wait(linked.Token);
                return Task.CompletedTask;
            }, cancel).GetAwaiter().GetResult();
            try
            {
                return RunPipeline(request, progress, linked.Token, cancel, stepEnd);
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            Leave();
        }
    }

    async Task WaitAtGate(Func<Task> wait, CancellationToken callerCancel)
    {
        try
        {
            await wait().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!callerCancel.IsCancellationRequested)
        {
            throw Disposed();
        }
    }

    GenerationResult RunPipeline(GenerationRequest request, IProgress<GenerationProgress>? progress, CancellationToken cancel, CancellationToken callerCancel,
        Action<int, HostTensor>? stepEnd)
    {
        // A cancellation also stops the ONNX Runtime call in progress; the flag is cleared once the request has left it.
        var stop = cancel.Register(_placement.Terminate);
        try
        {
            cancel.ThrowIfCancellationRequested();
            if (ShapeOf(request, Defaults, _rules) is { } shape) _memory.Check(shape, weightsLoaded: true);
            return _pipeline.Run(request, progress, cancel, stepEnd);
        }
        catch (OperationCanceledException) when (!callerCancel.IsCancellationRequested && _disposing.IsCancellationRequested)
        {
            throw Disposed();
        }
        finally
        {
            // Dispose waits for a callback in progress, so the flag is never cleared before Terminate has set it.
            stop.Dispose();
            _placement.Resume();
        }
    }

    /// <summary>
    /// Checks <paramref name="request"/> as the pipeline's input validation will, without running anything: an
    /// <see cref="Core.Errors.InvalidRequestException"/> names the <see cref="GenerationRequest"/> property at fault.
    /// Returns the notices a run would give (a frame count rounded, a random seed drawn).
    /// </summary>
    public IReadOnlyList<string> Validate(GenerationRequest request) => Validate(request, Defaults, _rules);

    /// <summary>
    /// Checks <paramref name="request"/> against the converted model in <paramref name="modelFolder"/> before it is loaded:
    /// only its configs are read (no session is created), with the sampling defaults <see cref="FromPretrained"/> would use.
    /// </summary>
    public static IReadOnlyList<string> Validate(string modelFolder, GenerationRequest request, GeneratorOptions? options = null)
    {
        options ??= new GeneratorOptions();
        var rules = RulesOf(modelFolder, options);
        var (sampling, _) = ResolveSampling(modelFolder, options);
        return Validate(request, sampling, rules);
    }

    /// <summary>The request rules of the converted model in <paramref name="modelFolder"/> (its pipeline's, from its configs).</summary>
    public static RequestRules RulesOf(string modelFolder, GeneratorOptions? options = null)
    {
        var model = ConvertedModel.Load(modelFolder);
        return new PipelineRegistry((options ?? new GeneratorOptions()).PipelineAssemblies)
            .Rules(model.Pipeline, modelFolder, Path.Combine(modelFolder, ModelIndex.FileName));
    }

    static IReadOnlyList<string> Validate(GenerationRequest request, SamplingDefaults defaults, RequestRules rules)
    {
        var batch = new ForwardBatch(request);
        new Stages.InputValidationStage(defaults, rules).Run(batch, new StageContext(CancellationToken.None, null));
        return batch.Notices;
    }

    /// <summary>The estimated peak memory of <paramref name="request"/> on this generator (see <see cref="MemoryEstimate"/>), or null for a request its validation will refuse.</summary>
    internal MemoryEstimate? EstimateMemory(GenerationRequest request) => ShapeOf(request, Defaults, _rules) is { } shape ? _memory.Estimate(shape) : null;

    /// <summary>
    /// The sizes <paramref name="request"/> runs at (frame counts rounded as the input validation rounds them), or null
    /// when a size is out of range: the pipeline's validation then gives the error naming it.
    /// </summary>
    internal static RequestShape? ShapeOf(GenerationRequest request, SamplingDefaults defaults, RequestRules rules) =>
        ShapeOf(request, defaults, rules.Latents.TemporalCompression);

    /// <summary>
    /// <see cref="ShapeOf(GenerationRequest, SamplingDefaults, RequestRules)"/> with the frame rounding of a VAE of
    /// <paramref name="temporalScale"/> (4 unless given, for callers written before request rules existed).
    /// </summary>
    internal static RequestShape? ShapeOf(GenerationRequest request, SamplingDefaults defaults, int temporalScale = 4)
    {
        int height = request.Height ?? defaults.Height, width = request.Width ?? defaults.Width, frames = request.NumFrames ?? defaults.NumFrames;
        int text = request.MaxSequenceLength ?? defaults.MaxSequenceLength;
        if (height <= 0 || width <= 0 || frames < 1 || text < 1) return null;
        return new RequestShape(height, width, frames / temporalScale * temporalScale + 1, (request.GuidanceScale ?? defaults.GuidanceScale) > 1.0, text);
    }

    ObjectDisposedException Disposed() => new(nameof(VideoGenerator), "the generator was disposed while the request was waiting or running");

    void Enter()
    {
        lock (_lifetime)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _callers++;
        }
    }

    void Leave()
    {
        bool release;
        lock (_lifetime)
        {
            _callers--;
            release = _disposed && _callers == 0 && !_released;
            if (release) _released = true;
        }
        if (release) Release();
    }

    /// <summary>
    /// Releases sessions and device memory. A running request is cancelled first and the release is left to it, once it
    /// has left native code (so this call does not block on a step in progress); later calls throw
    /// <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        lock (_lifetime)
        {
            if (_disposed) return;
            _disposed = true;
            // Counted as a caller while cancelling, so that a request ending during the cancellation does not release
            // the generator (and its cancellation source) under it.
            _callers++;
        }
        _disposing.Cancel();
        Leave();
    }

    void Release()
    {
        _pipeline.Dispose();
        _placement.Dispose();
        _gate.Dispose();
        _disposing.Dispose();
    }
}
