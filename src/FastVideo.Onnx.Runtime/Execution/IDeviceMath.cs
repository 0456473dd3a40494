namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>
/// The few tensor operations the pipeline does itself, on the execution device: every guidance combination and
/// scheduler update is a linear combination of tensors with coefficients computed on the host, so latents and
/// predictions never leave the device during denoising.
/// </summary>
public interface IDeviceMath : IDisposable
{
    /// <summary>Each output receives Σ coefficients[i] · inputs[i] (all tensors of one shape, float32).</summary>
    void LinearCombination(ReadOnlySpan<double> coefficients, IReadOnlyList<DeviceTensor> inputs, IReadOnlyList<DeviceTensor> outputs);

    /// <summary>Host to device.</summary>
    void Upload(ReadOnlySpan<float> source, DeviceTensor destination);

    /// <summary>Device to host.</summary>
    void Download(DeviceTensor source, Span<float> destination);

    /// <summary>Hands the device memory ONNX Runtime keeps cached but unused (free arena regions) back to the device.</summary>
    void ReleaseCachedMemory();
}

internal static class DeviceMathExtensions
{
    public static void Copy(this IDeviceMath math, DeviceTensor source, params DeviceTensor[] destinations) =>
        math.LinearCombination(new[] { 1.0 }, new[] { source }, destinations);

    public static float[] Download(this IDeviceMath math, DeviceTensor source)
    {
        var data = new float[source.ElementCount];
        math.Download(source, data);
        return data;
    }
}
