namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>How one graph's session is opened on an <see cref="ExecutionDevice"/>.</summary>
public sealed record SessionSpec
{
    /// <summary>TensorRT's optimisation profiles (TensorRT builds an engine for the shapes it is told).</summary>
    public IReadOnlyList<ShapeProfile>? TensorRtProfiles { get; init; }

    /// <summary>Registers the fused-kernel library (the graph uses its com.fastvideo operators).</summary>
    public bool WithKernels { get; init; }

    /// <summary>Another custom-operator library to register (the collective library of sequence-parallel sessions), or null.</summary>
    public string? CustomOpLibrary { get; init; }

    /// <summary>Sizes of named dynamic dims, fixed for this session (shape specialisation).</summary>
    public IReadOnlyDictionary<string, long>? FixedDims { get; init; }

    /// <summary>
    /// CUDA graph capture, for sessions whose every input and output stays at a fixed address (the denoiser: never the
    /// utility or VAE sessions, which bind new buffers on each call); applies only with <see cref="RuntimeOptions.CudaGraph"/>.
    /// </summary>
    public bool CudaGraph { get; init; }

    /// <summary>
    /// A graph that runs once or a few times per request (VAE, encoders): it shares the device's arena
    /// (<see cref="RuntimeOptions.SharedArena"/>), and with <see cref="RuntimeOptions.ReleaseMemoryAfterRun"/> the arena
    /// hands its free memory back after each of its runs.
    /// </summary>
    public bool OncePerRequest { get; init; }

    /// <summary>Convolutions channels-last with their bias fused (see <see cref="ExecutionDevice.VaeChannelsLast"/>).</summary>
    public bool ChannelsLast { get; init; }
}
