namespace FastVideo.Onnx.Tests.Support;

/// <summary>Deterministic test inputs.</summary>
public static class Patterns
{
    /// <summary>A smooth-ish deterministic pattern in [-amplitude, amplitude] (no RNG, so ORT and eager inputs are trivially identical).</summary>
    public static float[] Wave(long[] shape, float amplitude, float frequency = 0.37f)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var data = new float[n];
        for (long i = 0; i < n; i++) data[i] = amplitude * MathF.Sin(i * frequency + MathF.Cos(i * 0.011f) * 3f);
        return data;
    }
}
