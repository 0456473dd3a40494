using FastVideo.Onnx.Core.Errors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>
/// Where a pipeline runs: the execution provider, the memory device tensors live in, the tensor pool and the device
/// arithmetic. Session options for every component come from here, so all sessions share one provider configuration.
/// </summary>
public sealed class ExecutionDevice : IDisposable
{
    readonly List<IDisposable> _owned = new();
    readonly System.Collections.Concurrent.ConcurrentQueue<string> _opened = new();
    // The device memory descriptor this device created (not ONNX Runtime's shared CPU instance), disposed with it.
    readonly OrtMemoryInfo? _ownedMemory;

    public RuntimeOptions Options { get; }

    /// <summary>The provider in use (the CPU when a GPU provider failed to load and fallback was allowed).</summary>
    public ExecutionProvider Provider { get; }

    /// <summary>Memory of device tensors: host memory on the CPU provider, GPU memory otherwise.</summary>
    public OrtMemoryInfo Memory { get; }

    public TensorPool Pool { get; }

    /// <summary>Stops the running calls of the sessions opened through <see cref="Open"/> (cancellation, dispose).</summary>
    public RunTerminator Runs { get; } = new();

    /// <summary>The fused-kernel library sessions may register, or null (CPU provider, "off", or none found).</summary>
    public KernelLibrary? KernelLibrary { get; }

    /// <summary>The fused-kernel library's path, or null (see <see cref="KernelLibrary"/>).</summary>
    public string? KernelLibraryPath => KernelLibrary?.Path;

    /// <summary>True when a missing or broken kernel library is an error rather than a reason to use the portable graphs.</summary>
    public bool KernelLibraryRequired => KernelLibrary?.Required ?? false;
    public IDeviceMath Math { get; }
    public bool IsGpu => Provider != ExecutionProvider.Cpu;

    /// <summary>Whether the once-per-request components allocate from one arena (<see cref="RuntimeOptions.SharedArena"/>).</summary>
    public bool SharedArena => IsGpu && (Options.SharedArena ?? true) && SharedGpuArena.IsRegistered(Options.DeviceId);

    /// <summary>Whether ONNX Runtime plans intermediate tensors as one block per run (<see cref="RuntimeOptions.MemoryPattern"/>).</summary>
    public bool MemoryPattern => Options.MemoryPattern ?? !IsGpu;

    /// <summary>Whether fp16 VAE sessions run their convolutions channels-last (<see cref="RuntimeOptions.VaeChannelsLast"/>).</summary>
    public bool VaeChannelsLast => Provider == ExecutionProvider.Cuda && (Options.VaeChannelsLast ?? true);

    /// <summary>Whether sessions are specialised to request shapes (<see cref="RuntimeOptions.SpecializeShapes"/>).</summary>
    public bool SpecializeShapes => (IsGpu && Options.CudaGraph) || (Options.SpecializeShapes ?? IsGpu);

    ExecutionDevice(RuntimeOptions options, ExecutionProvider provider, OrtMemoryInfo memory, bool ownsMemory,
        Func<ExecutionDevice, (TensorPool, IDeviceMath)> create)
    {
        Options = options;
        Provider = provider;
        Memory = memory;
        if (ownsMemory) _ownedMemory = memory;
        if (provider != ExecutionProvider.Cpu) KernelLibrary = KernelLibraryLocator.Find(options.KernelLibrary);
        (Pool, Math) = create(this);
    }

    /// <summary>
    /// Prepares the provider of <paramref name="options"/>. A GPU provider that cannot load is an error naming the cause,
    /// unless <see cref="RuntimeOptions.AllowCpuFallback"/> is set (then <paramref name="notice"/> says so).
    /// </summary>
    /// <summary>The setting that names the provider, in errors about it.</summary>
    public const string DeviceField = "Runtime:Device";

    public static ExecutionDevice Create(RuntimeOptions options, Action<string>? notice = null)
    {
        options.Validate();
        // Messages outside a session (memory arenas among them) go through the environment's logger.
        if (options.LogSeverity < (int)OrtEnv.Instance().EnvLogLevel) OrtEnv.Instance().EnvLogLevel = (OrtLoggingLevel)options.LogSeverity;
        if (options.Device == ExecutionProvider.Cpu) return Cpu(options);
        try
        {
            using (var probe = new SessionOptions()) AppendGpuProvider(probe, options, Array.Empty<ShapeProfile>());
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
        {
            string reason = FastVideoException.FirstLine(e.Message);
            string problem = $"{options.Device.Name()}: ONNX Runtime's {options.Device.Name()} execution provider could not be loaded ({reason}). " +
                             (options.Device == ExecutionProvider.TensorRT
                                 ? "It needs TensorRT 10 libraries (libnvinfer) and CUDA 13 on the loader path"
                                 : "It needs an NVIDIA GPU with the CUDA 13 and cuDNN 9 libraries on the loader path") + "; or run on the CPU";
            var error = new InvalidRequestException(DeviceField, problem);
            if (!options.AllowCpuFallback) throw error;
            notice?.Invoke(error.Message + " -- falling back to the CPU as allowed");
            return Cpu(options with { Device = ExecutionProvider.Cpu });
        }
        if (options.SharedArena ?? true) SharedGpuArena.Register(options, notice);
        var memory = new OrtMemoryInfo("Cuda", OrtAllocatorType.DeviceAllocator, options.DeviceId, OrtMemType.Default);
        try
        {
            return new ExecutionDevice(options, options.Device, memory, ownsMemory: true, device =>
            {
                var math = new CudaMath(device);
                return (new TensorPool(math.Allocate), math);
            });
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }


    static ExecutionDevice Cpu(RuntimeOptions options) =>
        new(options, ExecutionProvider.Cpu, OrtMemoryInfo.DefaultInstance, ownsMemory: false, _ => (new TensorPool(DeviceTensor.AllocateHost), new HostMath()));

    public const string KernelLibraryFile = KernelLibraryLocator.FileName;

    /// <summary>
    /// Session options for one graph. <paramref name="profiles"/> feed TensorRT's optimisation profiles;
    /// <paramref name="cudaGraph"/> turns on CUDA graph capture, for sessions whose every input and output stays at a
    /// fixed address (the transformer: never the utility or VAE sessions, which bind new buffers on each call);
    /// <paramref name="channelsLast"/> runs convolutions channels-last with their bias fused (see <see cref="VaeChannelsLast"/>);
    /// <paramref name="sharedArena"/> allocates from the device's shared arena when there is one (see <see cref="SharedArena"/>).
    /// </summary>
    public SessionOptions SessionOptions(IReadOnlyList<ShapeProfile>? profiles = null, bool cudaGraph = false, bool channelsLast = false,
        bool sharedArena = false)
    {
        var o = new SessionOptions
        {
            LogSeverityLevel = (OrtLoggingLevel)Options.LogSeverity,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (Options.IntraOpThreads is int threads and > 0) o.IntraOpNumThreads = threads;
        if (!MemoryPattern) o.EnableMemoryPattern = false;
        if (SharedArena && sharedArena) o.AddSessionConfigEntry("session.use_env_allocators", "1");
        if (Options.ProfilePrefix is string prefix)
        {
            // The prefix first: enabling profiling passes the prefix set at that moment to ONNX Runtime.
            o.ProfileOutputPathPrefix = prefix;
            o.EnableProfiling = true;
        }
        if (Provider != ExecutionProvider.Cpu)
        {
            bool nhwc = channelsLast && Provider == ExecutionProvider.Cuda;
            AppendGpuProvider(o, Options with
            {
                Device = Provider,
                CudaGraph = cudaGraph && Options.CudaGraph,
                PreferNhwc = Options.PreferNhwc || nhwc,
                CudnnFuseConvBias = Options.CudnnFuseConvBias || nhwc,
            }, profiles ?? Array.Empty<ShapeProfile>());
        }
        return o;
    }

    static void AppendGpuProvider(SessionOptions o, RuntimeOptions options, IReadOnlyList<ShapeProfile> profiles)
    {
        if (options.Device == ExecutionProvider.TensorRT)
        {
            using var trt = new OrtTensorRTProviderOptions();
            trt.UpdateOptions(new Dictionary<string, string>(options.TensorRt.ToProviderOptions(options.DeviceId, profiles)));
            o.AppendExecutionProvider_Tensorrt(trt);
        }
        using var cuda = new OrtCUDAProviderOptions();
        cuda.UpdateOptions(new Dictionary<string, string>(CudaProviderOptions(options)));
        o.AppendExecutionProvider_CUDA(cuda);
    }

    /// <summary>The CUDA execution provider's options for <paramref name="options"/>.</summary>
    public static IReadOnlyDictionary<string, string> CudaProviderOptions(RuntimeOptions options)
    {
        var cuda = new Dictionary<string, string>
        {
            ["device_id"] = options.DeviceId.ToString(),
            ["cudnn_conv_algo_search"] = options.CudnnConvAlgoSearch,
            ["cudnn_conv_use_max_workspace"] = options.CudnnConvMaxWorkspace ? "1" : "0",
            ["do_copy_in_default_stream"] = "1",
            // Grow the memory arena by what is asked for, not by doubling: peak memory stays near what the graph needs
            // (and arena shrinkage, ReleaseMemoryAfterRun, can hand whole regions back).
            ["arena_extend_strategy"] = "kSameAsRequested",
        };
        if (options.CudaGraph) cuda["enable_cuda_graph"] = "1";
        if (options.PreferNhwc) cuda["prefer_nhwc"] = "1";
        if (options.CudnnFuseConvBias) cuda["fuse_conv_bias"] = "1";
        return cuda;
    }

    /// <summary>Opens one graph (<paramref name="path"/>, <paramref name="label"/> in messages) on this device as <paramref name="spec"/> says.</summary>
    public GraphSession Open(string path, string label, SessionSpec? spec = null)
    {
        spec ??= new SessionSpec();
        using var options = SessionOptions(spec.TensorRtProfiles, spec.CudaGraph, spec.ChannelsLast, sharedArena: spec.OncePerRequest);
        if (spec.FixedDims is not null)
            foreach (var (name, value) in spec.FixedDims) options.AddFreeDimensionOverrideByName(name, value);
        if (spec.WithKernels)
        {
            if (KernelLibrary is null) throw new InvalidOperationException("no fused-kernel library to register");
            try
            {
                options.RegisterCustomOpLibrary(KernelLibrary.Path);
            }
            catch (OnnxRuntimeException e)
            {
                throw new FastVideoException($"{KernelLibrary.Path}: the fused-kernel library could not be loaded ({FastVideoException.FirstLine(e.Message)})", e);
            }
        }
        if (spec.CustomOpLibrary is not null)
        {
            try
            {
                options.RegisterCustomOpLibrary(spec.CustomOpLibrary);
            }
            catch (OnnxRuntimeException e)
            {
                throw new FastVideoException($"{spec.CustomOpLibrary}: the custom-operator library could not be loaded ({FastVideoException.FirstLine(e.Message)})", e);
            }
        }
        var session = GraphSession.Open(path, options, label);
        _opened.Enqueue(label);
        session.StopWith(Runs);
        if (spec.OncePerRequest && IsGpu && Options.ReleaseMemoryAfterRun) ShrinkArenaAfterEachRun(session);
        return session;
    }

    /// <summary>Has every later run of <paramref name="session"/> end by freeing the unused regions of its GPU arena (ONNX Runtime's arena shrinkage).</summary>
    internal void ShrinkArenaAfterEachRun(GraphSession session) =>
        session.SetRunConfig("memory.enable_memory_arena_shrinkage", $"gpu:{Options.DeviceId}");

    public DeviceTensor Upload(float[] data, long[] shape)
    {
        var t = Pool.Rent(TensorElementType.Float, shape);
        Math.Upload(data, t);
        return t;
    }

    /// <summary>Hands cached but unused device memory back to the device (see <see cref="IDeviceMath.ReleaseCachedMemory"/>).</summary>
    public void ReleaseCachedMemory() => Math.ReleaseCachedMemory();

    internal void Own(IDisposable d) => _owned.Add(d);

    /// <summary>The labels of the sessions opened through <see cref="Open"/> so far, in order (where each component's sessions were placed).</summary>
    internal IReadOnlyCollection<string> OpenedSessions => _opened.ToArray();

    public void Dispose()
    {
        Pool.Dispose();
        Math.Dispose();
        foreach (var d in _owned) d.Dispose();
        _ownedMemory?.Dispose();
    }
}
