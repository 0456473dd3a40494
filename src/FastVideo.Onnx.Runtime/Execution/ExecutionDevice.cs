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

    public RuntimeOptions Options { get; }

    /// <summary>The provider in use (the CPU when a GPU provider failed to load and fallback was allowed).</summary>
    public ExecutionProvider Provider { get; }

    /// <summary>Memory of device tensors: host memory on the CPU provider, GPU memory otherwise.</summary>
    public OrtMemoryInfo Memory { get; }

    public TensorPool Pool { get; }

    /// <summary>Stops the running calls of the sessions opened through <see cref="Open"/> (cancellation, dispose).</summary>
    public RunTerminator Runs { get; } = new();

    /// <summary>The fused-kernel library sessions may register, or null (CPU provider, "off", or none found).</summary>
    public string? KernelLibraryPath { get; }

    /// <summary>True when a missing or broken kernel library is an error rather than a reason to use the portable graphs.</summary>
    public bool KernelLibraryRequired { get; }
    public IDeviceMath Math { get; }
    public bool IsGpu => Provider != ExecutionProvider.Cpu;

    /// <summary>Whether the once-per-request components allocate from one arena (<see cref="RuntimeOptions.SharedArena"/>).</summary>
    public bool SharedArena => IsGpu && (Options.SharedArena ?? true) && SharedArenaRegistered(Options.DeviceId);

    /// <summary>Whether ONNX Runtime plans intermediate tensors as one block per run (<see cref="RuntimeOptions.MemoryPattern"/>).</summary>
    public bool MemoryPattern => Options.MemoryPattern ?? !IsGpu;

    /// <summary>Whether fp16 VAE sessions run their convolutions channels-last (<see cref="RuntimeOptions.VaeChannelsLast"/>).</summary>
    public bool VaeChannelsLast => Provider == ExecutionProvider.Cuda && (Options.VaeChannelsLast ?? true);

    /// <summary>Whether sessions are specialised to request shapes (<see cref="RuntimeOptions.SpecializeShapes"/>).</summary>
    public bool SpecializeShapes => (IsGpu && Options.CudaGraph) || (Options.SpecializeShapes ?? IsGpu);

    ExecutionDevice(RuntimeOptions options, ExecutionProvider provider, OrtMemoryInfo memory, Func<ExecutionDevice, (TensorPool, IDeviceMath)> create)
    {
        Options = options;
        Provider = provider;
        Memory = memory;
        if (provider != ExecutionProvider.Cpu) (KernelLibraryPath, KernelLibraryRequired) = FindKernelLibrary(options.KernelLibrary);
        (Pool, Math) = create(this);
    }

    /// <summary>
    /// Prepares the provider of <paramref name="options"/>. A GPU provider that cannot load is an error naming the cause,
    /// unless <see cref="RuntimeOptions.AllowCpuFallback"/> is set (then <paramref name="notice"/> says so).
    /// </summary>
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
            string message = $"--device {options.Device.Name()}: ONNX Runtime's {options.Device.Name()} execution provider could not be loaded ({reason}). " +
                             (options.Device == ExecutionProvider.TensorRT
                                 ? "It needs TensorRT 10 libraries (libnvinfer) and CUDA 13 on the loader path"
                                 : "It needs an NVIDIA GPU with the CUDA 13 and cuDNN 9 libraries on the loader path") + "; or use --device cpu";
            if (!options.AllowCpuFallback) throw new FastVideoException(message);
            notice?.Invoke(message + " -- falling back to the CPU as allowed");
            return Cpu(options with { Device = ExecutionProvider.Cpu });
        }
        if (options.SharedArena ?? true) RegisterSharedArena(options, notice);
        var memory = new OrtMemoryInfo("Cuda", OrtAllocatorType.DeviceAllocator, options.DeviceId, OrtMemType.Default);
        return new ExecutionDevice(options, options.Device, memory, device =>
        {
            var math = new CudaMath(device);
            return (new TensorPool(math.Allocate), math);
        });
    }

    /// <summary>Devices whose shared arena registration was tried, and whether it succeeded.</summary>
    static readonly Dictionary<int, bool> SharedArenaDevices = new();

    static bool SharedArenaRegistered(int deviceId)
    {
        lock (SharedArenaDevices) return SharedArenaDevices.TryGetValue(deviceId, out bool registered) && registered;
    }

    /// <summary>
    /// Registers one CUDA arena for <see cref="RuntimeOptions.DeviceId"/> with ONNX Runtime's environment, once per process
    /// (it lives as long as the environment); sessions then use it through <c>session.use_env_allocators</c>. When ONNX
    /// Runtime refuses, every session keeps its own arena and <paramref name="notice"/> says so.
    /// </summary>
    static void RegisterSharedArena(RuntimeOptions options, Action<string>? notice)
    {
        lock (SharedArenaDevices)
        {
            if (SharedArenaDevices.ContainsKey(options.DeviceId)) return;
            try
            {
                using var memory = new OrtMemoryInfo("Cuda", OrtAllocatorType.ArenaAllocator, options.DeviceId, OrtMemType.Default);
                // No cap; grow by what is asked for (kSameAsRequested = 1); ONNX Runtime's default first chunk; split free
                // blocks unless less than ArenaMaxDeadMiB would be left over.
                using var arena = new OrtArenaCfg(0, 1, -1, options.ArenaMaxDeadMiB << 20);
                OrtEnv.Instance().CreateAndRegisterAllocator("CUDAExecutionProvider", memory, arena,
                    new Dictionary<string, string>(CudaProviderOptions(options with { CudaGraph = false })));
                SharedArenaDevices[options.DeviceId] = true;
            }
            catch (OnnxRuntimeException e)
            {
                SharedArenaDevices[options.DeviceId] = false;
                notice?.Invoke($"Runtime:SharedArena: ONNX Runtime did not register a shared GPU arena ({FastVideoException.FirstLine(e.Message)}); each session keeps its own");
            }
        }
    }

    static ExecutionDevice Cpu(RuntimeOptions options) =>
        new(options, ExecutionProvider.Cpu, OrtMemoryInfo.DefaultInstance, _ => (new TensorPool(DeviceTensor.AllocateHost), new HostMath()));

    public const string KernelLibraryFile = "libfastvideo_kernels.so";

    static (string?, bool) FindKernelLibrary(string setting)
    {
        if (string.Equals(setting, "off", StringComparison.OrdinalIgnoreCase)) return (null, false);
        if (!string.Equals(setting, "auto", StringComparison.OrdinalIgnoreCase))
            return File.Exists(setting) ? (Path.GetFullPath(setting), true) : throw new InvalidRequestException("--kernels", $"{setting} does not exist");
        string? fromEnvironment = Environment.GetEnvironmentVariable("FASTVIDEO_KERNELS");
        if (!string.IsNullOrEmpty(fromEnvironment))
            return File.Exists(fromEnvironment) ? (Path.GetFullPath(fromEnvironment), true)
                : throw new InvalidRequestException("FASTVIDEO_KERNELS", $"{fromEnvironment} does not exist");
        string beside = Path.Combine(AppContext.BaseDirectory, KernelLibraryFile);
        return (File.Exists(beside) ? beside : null, false);
    }

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
            o.EnableProfiling = true;
            o.ProfileOutputPathPrefix = prefix;
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

    /// <summary>Opens one graph of a converted component on this device; <paramref name="withKernels"/> registers the fused-kernel library.</summary>
    /// <remarks>
    /// <paramref name="oncePerRequest"/> marks graphs that run once or a few times per request (VAE, encoders): they share
    /// the device's arena (<see cref="RuntimeOptions.SharedArena"/>), and with <see cref="RuntimeOptions.ReleaseMemoryAfterRun"/>
    /// it hands its free memory back after each of their runs.
    /// </remarks>
    public GraphSession Open(string path, string label, IReadOnlyList<ShapeProfile>? profiles = null, bool withKernels = false,
        IReadOnlyDictionary<string, long>? fixedDims = null, bool cudaGraph = false, bool oncePerRequest = false, bool channelsLast = false)
    {
        using var options = SessionOptions(profiles, cudaGraph, channelsLast, sharedArena: oncePerRequest);
        if (fixedDims is not null)
            foreach (var (name, value) in fixedDims) options.AddFreeDimensionOverrideByName(name, value);
        if (withKernels)
        {
            if (KernelLibraryPath is null) throw new InvalidOperationException("no fused-kernel library to register");
            try
            {
                options.RegisterCustomOpLibrary(KernelLibraryPath);
            }
            catch (OnnxRuntimeException e)
            {
                throw new FastVideoException($"{KernelLibraryPath}: the fused-kernel library could not be loaded ({FastVideoException.FirstLine(e.Message)})", e);
            }
        }
        var session = GraphSession.Open(path, options, label);
        session.StopWith(Runs);
        if (oncePerRequest && IsGpu && Options.ReleaseMemoryAfterRun) ShrinkArenaAfterEachRun(session);
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

    public void Dispose()
    {
        Pool.Dispose();
        Math.Dispose();
        foreach (var d in _owned) d.Dispose();
    }
}
