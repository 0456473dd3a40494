using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Runtime.Execution.MultiDevice;

/// <summary>
/// Copies tensors between two execution devices of one host: host arrays (CPU devices) by span copy; GPU memory by a
/// CUDA peer copy (<see cref="CudaPeerCopy"/>), or through host memory when the CUDA runtime library cannot be loaded;
/// within one device by the device's own copy.
/// </summary>
internal sealed class DeviceLink : IDisposable
{
    readonly CudaPeerCopy? _peer;

    public ExecutionDevice First { get; }
    public ExecutionDevice Second { get; }

    /// <summary>True when GPU copies go through host memory (no CUDA runtime library found).</summary>
    public bool ThroughHost => First.IsGpu && _peer is null;

    public DeviceLink(ExecutionDevice first, ExecutionDevice second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.IsGpu != second.IsGpu) throw new ArgumentException($"a link joins devices of one kind, not {first.Provider} and {second.Provider}");
        First = first;
        Second = second;
        if (first.IsGpu && first != second) _peer = CudaPeerCopy.TryCreate();
    }

    /// <summary>Copies <paramref name="source"/> (in <paramref name="from"/>'s memory) into <paramref name="destination"/> (in <paramref name="to"/>'s).</summary>
    public void Copy(DeviceTensor source, ExecutionDevice from, DeviceTensor destination, ExecutionDevice to)
    {
        if (!(from == First && to == Second) && !(from == Second && to == First)) throw new ArgumentException("the devices are not the ends of this link");
        if (source.ElementType != destination.ElementType || source.ElementCount != destination.ElementCount)
            throw new ArgumentException($"a cross-device copy needs one type and size: {source} to {destination}");
        if (source.ElementCount == 0) return;
        if (from == to)
        {
            from.Math.Copy(source, destination);
            return;
        }
        if (source.IsHost && destination.IsHost)
        {
            if (source.ElementType == TensorElementType.Int64) source.HostInt64Span.CopyTo(destination.HostInt64Span);
            else source.HostSpan.CopyTo(destination.HostSpan);
            return;
        }
        if (_peer is not null)
        {
            _peer.Copy(source.DevicePointer, from.Options.DeviceId, destination.DevicePointer, to.Options.DeviceId, source.ByteLength);
            return;
        }
        if (source.ElementType != TensorElementType.Float) throw new NotSupportedException($"copies of {source.ElementType} through host memory");
        var staged = new float[source.ElementCount];
        from.Math.Download(source, staged);
        to.Math.Upload(staged, destination);
    }

    public void Dispose() => _peer?.Dispose();
}
