namespace FastVideo.Onnx.Runtime.Execution;

/// <summary><see cref="IDeviceMath"/> for the CPU provider: device tensors are host arrays.</summary>
internal sealed class HostMath : IDeviceMath
{
    public void LinearCombination(ReadOnlySpan<double> coefficients, IReadOnlyList<DeviceTensor> inputs, IReadOnlyList<DeviceTensor> outputs)
    {
        if (coefficients.Length != inputs.Count) throw new ArgumentException("one coefficient per input");
        long n = outputs[0].ElementCount;
        foreach (var t in inputs.Concat(outputs))
            if (t.ElementCount != n) throw new ArgumentException($"shape mismatch: {t} vs {outputs[0]}");
        // Accumulate in double and round once: an output may alias an input, so compute into a buffer first.
        var result = new float[n];
        var acc = new double[Math.Min(n, 1 << 16)];
        for (long start = 0; start < n; start += acc.Length)
        {
            int count = (int)Math.Min(acc.Length, n - start);
            Array.Clear(acc, 0, count);
            for (int i = 0; i < inputs.Count; i++)
            {
                double c = coefficients[i];
                if (c == 0) continue;
                var x = inputs[i].HostSpan.Slice((int)start, count);
                for (int j = 0; j < count; j++) acc[j] += c * x[j];
            }
            for (int j = 0; j < count; j++) result[start + j] = (float)acc[j];
        }
        foreach (var o in outputs) result.AsSpan().CopyTo(o.HostSpan);
    }

    public void Upload(ReadOnlySpan<float> source, DeviceTensor destination) => source.CopyTo(destination.HostSpan);

    public void Download(DeviceTensor source, Span<float> destination) => source.HostSpan.CopyTo(destination);

    public void Dispose() { }

    /// <summary>Host memory is ONNX Runtime's CPU arena, kept for the process.</summary>
    public void ReleaseCachedMemory() { }
}
