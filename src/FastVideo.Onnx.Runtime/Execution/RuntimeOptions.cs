using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>How sessions are created and run. Bound from configuration (presets, user JSON, environment, command line).</summary>
public sealed record RuntimeOptions
{
    /// <summary>The execution provider (CPU, CUDA or TensorRT).</summary>
    public ExecutionProvider Device { get; init; } = ExecutionProvider.Cpu;
    /// <summary>The GPU index for CUDA and TensorRT.</summary>
    public int DeviceId { get; init; }

    /// <summary>
    /// Two devices of one host for one pipeline, as a list of indices ("0,1"); null: <see cref="DeviceId"/> alone. The
    /// first is the pipeline's main device (latents, encoders, VAE); the second takes the denoiser work that
    /// <see cref="Parallelism"/> places on it. On the CPU provider each index is an independent device (its own
    /// sessions and tensor pool) in the same host memory.
    /// </summary>
    public string? DeviceIds { get; init; }

    /// <summary>
    /// What the second device of <see cref="DeviceIds"/> runs: "cfg" (classifier-free guidance split: the conditional
    /// pass on the first device, the unconditional one on the second, concurrently), "experts" (two-expert models such
    /// as Wan2.2 A14B: <c>transformer</c> on the first device, <c>transformer_2</c> on the second, both resident),
    /// "none" (the second device is unused), or "auto" (the default: experts for a two-expert model, else cfg). "sequence"
    /// needs no second device: the converted transformer's per-rank graph <c>model.sp&lt;N&gt;.onnx</c> runs as N rank
    /// sessions at once, each on 1/N of the latent frames, their self-attention exchanging heads through the collective
    /// library (Ulysses sequence parallelism; CPU provider).
    /// </summary>
    public string Parallelism { get; init; } = "auto";

    /// <summary>When the requested GPU provider cannot load, run on the CPU instead of failing (off by default: a silent 100x slowdown is worse than an error).</summary>
    public bool AllowCpuFallback { get; init; }

    /// <summary>Threads for one operator on the CPU provider (null or 0: ONNX Runtime's default, one per core; else at least 1).</summary>
    public int? IntraOpThreads { get; init; }

    /// <summary>
    /// The most memory, in MiB, a request may need by the estimate made before it runs (weights, activations, latents
    /// and output frames); a request above it is refused with what would fit. Null: what the machine has (available
    /// physical memory on the CPU provider, the device's free memory on GPUs when it can be read).
    /// </summary>
    public long? MemoryLimitMiB { get; init; }

    /// <summary>
    /// Specialise the transformer's session to each request's shapes (batch, latent grid, text length): ONNX Runtime then
    /// folds the shape arithmetic and plans memory statically, at the cost of a new session when the shape changes.
    /// Null: on GPU providers only.
    /// </summary>
    public bool? SpecializeShapes { get; init; }

    /// <summary>
    /// Capture the transformer call in a CUDA graph and replay it (CUDA only): no per-kernel launch cost. Sessions are then
    /// fixed to one shape, and inputs and outputs are copied through buffers at fixed addresses.
    /// </summary>
    public bool CudaGraph { get; init; }

    /// <summary>
    /// Two-expert models (Wan2.2 A14B): keep both experts loaded (true) or one at a time, the other released at the
    /// boundary (false). Null: both on the CPU; on a GPU both when the second fits in the free memory beside the first.
    /// </summary>
    public bool? KeepBothExperts { get; init; }

    /// <summary>TensorRT settings, used when <see cref="Device"/> is TensorRT.</summary>
    public TensorRtSettings TensorRt { get; init; } = new();

    /// <summary>
    /// cuDNN convolution algorithm choice on CUDA: EXHAUSTIVE (benchmark every algorithm once per shape, then the fastest;
    /// ONNX Runtime's default), HEURISTIC (no benchmarking: faster first call) or DEFAULT.
    /// </summary>
    public string CudnnConvAlgoSearch { get; init; } = "EXHAUSTIVE";

    /// <summary>Let cuDNN use as much workspace as its fastest convolution algorithm asks for (ONNX Runtime's default); false caps it, trading speed for memory.</summary>
    public bool CudnnConvMaxWorkspace { get; init; } = true;

    /// <summary>Let the CUDA provider run every session's convolutions channels-last (NHWC); see <see cref="VaeChannelsLast"/>.</summary>
    public bool PreferNhwc { get; init; }

    /// <summary>
    /// Let cuDNN add a convolution's bias inside the convolution (ONNX Runtime's <c>fuse_conv_bias</c>, through cuDNN's
    /// graph API) instead of in a separate kernel after it: one pass less over each convolution's output. cuDNN finds
    /// no fused kernel for channels-first fp16 convolutions, so it goes with <see cref="PreferNhwc"/>.
    /// </summary>
    public bool CudnnFuseConvBias { get; init; }

    /// <summary>
    /// Return the GPU memory of the once-per-request components (VAE, text encoder) to the device after each call
    /// (ONNX Runtime's arena shrinkage), instead of keeping it reserved for their next call: their peak is then not held
    /// while the transformer runs. Costly: every call then allocates its memory anew (the VAE decode took 2.5 times as
    /// long on an H200), so it is off unless memory is tighter than time.
    /// </summary>
    public bool ReleaseMemoryAfterRun { get; init; }

    /// <summary>
    /// One GPU memory arena, registered with ONNX Runtime's environment, for the sessions of the components that run once
    /// per request (VAE, text and image encoders) instead of one per session: the VAE's two chunk graphs and the encoders
    /// reuse each other's freed memory, so their peaks do not add up. The transformer keeps its own arena (its peak was
    /// half a gigabyte lower that way). Null: on GPU providers.
    /// </summary>
    public bool? SharedArena { get; init; }

    /// <summary>
    /// The most memory, in MiB, the shared arena may leave unused when it hands a larger free block to a smaller request
    /// rather than splitting it (ONNX Runtime's max_dead_bytes_per_chunk, 128 MiB by default, wastes gigabytes on the
    /// VAE's hundreds-of-megabytes activations; torch's caching allocator splits above 1 MiB).
    /// </summary>
    public int ArenaMaxDeadMiB { get; init; } = 2;

    /// <summary>
    /// Let ONNX Runtime plan a graph's intermediate tensors as one block per run (its memory pattern) when shapes are
    /// fixed; false allocates each tensor from the arena when it is produced and frees it after its last use, which on
    /// the GPU lowers the transformer's peak by about a gigabyte at the same speed. Null: off on GPU providers.
    /// </summary>
    public bool? MemoryPattern { get; init; }

    /// <summary>
    /// Run the fp16 VAE's convolutions channels-last (NHWC, which cuDNN's tensor-core kernels use) with the bias added
    /// inside cuDNN's convolution: <see cref="PreferNhwc"/> and <see cref="CudnnFuseConvBias"/> for the VAE's sessions
    /// only (ONNX Runtime's channels-last convolutions take fp16 and fp32, not the transformer's bf16). Null: on CUDA.
    /// </summary>
    public bool? VaeChannelsLast { get; init; }

    /// <summary>
    /// The fused-kernel library (native/fastvideo_kernels) for GPU providers: "auto" (the default: the FASTVIDEO_KERNELS
    /// environment variable, else libfastvideo_kernels.so beside the application, used when present), a file path
    /// (required: an error if it cannot load), or "off" (portable graphs only).
    /// </summary>
    public string KernelLibrary { get; init; } = "auto";

    /// <summary>When set, every session writes ONNX Runtime's per-node profile to files starting with this path.</summary>
    public string? ProfilePrefix { get; init; }

    /// <summary>ONNX Runtime's log level for sessions (0 verbose .. 4 fatal).</summary>
    public int LogSeverity { get; init; } = 3;

    static readonly string[] ConvAlgoSearches = { "EXHAUSTIVE", "HEURISTIC", "DEFAULT" };

    /// <summary>
    /// Checks every numeric and named setting for range before anything is loaded: a one-line error naming the setting by its
    /// configuration key (<c>Runtime:IntraOpThreads</c>, ...).
    /// </summary>
    public void Validate()
    {
        if (DeviceId < 0) throw new InvalidRequestException("Runtime:DeviceId", $"{DeviceId} must be zero or positive (the GPU's index)");
        if (IntraOpThreads is < 0)
            throw new InvalidRequestException("Runtime:IntraOpThreads", $"{IntraOpThreads} must be at least 1, or 0 for ONNX Runtime's default (one per core)");
        if (MemoryLimitMiB is < 1) throw new InvalidRequestException("Runtime:MemoryLimitMiB", $"{MemoryLimitMiB} must be at least 1 (MiB), or unset for what the machine has");
        if (ArenaMaxDeadMiB is < 0 or > 2047)
            throw new InvalidRequestException("Runtime:ArenaMaxDeadMiB", $"{ArenaMaxDeadMiB} is out of range (0 to 2047 MiB)");
        if (LogSeverity is < 0 or > 4) throw new InvalidRequestException("Runtime:LogSeverity", $"{LogSeverity} must be between 0 (verbose) and 4 (fatal)");
        if (!ConvAlgoSearches.Contains(CudnnConvAlgoSearch, StringComparer.Ordinal))
            throw new InvalidRequestException("Runtime:CudnnConvAlgoSearch", $"'{CudnnConvAlgoSearch}' must be one of {string.Join(", ", ConvAlgoSearches)}");
        var ids = DeviceIdList();
        if (DeviceIds is not null && DeviceId != 0 && DeviceId != ids[0])
            throw new InvalidRequestException("Runtime:DeviceIds", $"'{DeviceIds}' starts with device {ids[0]}, but Runtime:DeviceId is {DeviceId}: give one of them");
        var mode = MultiDevice.DeviceParallelismNames.Parse(Parallelism);
        if (mode is MultiDevice.DeviceParallelism.Cfg or MultiDevice.DeviceParallelism.Experts && ids.Count < 2)
            throw new InvalidRequestException(ParallelismField, $"{Parallelism} needs two devices in Runtime:DeviceIds (for example 0,1); {ids.Count} given");
        if (mode == MultiDevice.DeviceParallelism.Experts && KeepBothExperts == false)
            throw new InvalidRequestException("Runtime:KeepBothExperts", "false contradicts Runtime:Parallelism experts, which keeps each expert resident on its own device");
        if (TensorRt.MaxWorkspaceBytes < 0)
            throw new InvalidRequestException("Runtime:TensorRt:MaxWorkspaceBytes", $"{TensorRt.MaxWorkspaceBytes} must be zero or positive");
    }

    internal const string DeviceIdsField = "Runtime:DeviceIds";
    internal const string ParallelismField = "Runtime:Parallelism";

    /// <summary>The pipeline's devices: <see cref="DeviceIds"/> parsed (one or two distinct indices), else <see cref="DeviceId"/>.</summary>
    internal IReadOnlyList<int> DeviceIdList()
    {
        if (DeviceIds is null) return new[] { DeviceId };
        var ids = new List<int>();
        foreach (string part in DeviceIds.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int id) || id > 63)
                throw new InvalidRequestException(DeviceIdsField, $"'{DeviceIds}' is not a list of device indices (for example 0,1)");
            if (ids.Contains(id)) throw new InvalidRequestException(DeviceIdsField, $"'{DeviceIds}' lists device {id} twice");
            ids.Add(id);
        }
        if (ids.Count > 2)
            throw new InvalidRequestException(DeviceIdsField, $"'{DeviceIds}' gives {ids.Count} devices; one pipeline uses at most two (cfg or experts placement)");
        return ids;
    }
}
