using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>Numerical comparisons against reference tensors, reporting the error reached.</summary>
public static class Compare
{
    public static double MaxAbs(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new AssertionException($"length {a.Length} != {b.Length}");
        double m = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs((double)a[i] - b[i]);
            if (double.IsNaN(d)) return double.PositiveInfinity;
            m = Math.Max(m, d);
        }
        return m;
    }

    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }

    /// <summary>Asserts max |a - b| ≤ tolerance (and equal shapes) and writes the error reached to the test log.</summary>
    public static void Close(float[] actual, long[] actualShape, RefTensor expected, double tolerance, string what)
    {
        Assert.That(actualShape, Is.EqualTo(expected.Shape), $"{what}: shape");
        Assert.That(expected.Data.Any(v => v != 0), Is.True, $"{what}: reference is all zeros");
        double err = MaxAbs(actual, expected.Data);
        TestContext.Out.WriteLine($"{what}: max abs error {err:E3} (tolerance {tolerance:E1})");
        Assert.That(err, Is.LessThanOrEqualTo(tolerance), $"{what}: max abs error {err:E3} > {tolerance:E1}");
    }

    /// <summary>Asserts cosine similarity ≥ minimum; reports it with the max abs error.</summary>
    public static void Similar(float[] actual, RefTensor expected, double minimum, string what)
    {
        double cos = Cosine(actual, expected.Data);
        double err = MaxAbs(actual, expected.Data);
        TestContext.Out.WriteLine($"{what}: cosine {cos:F6}, max abs error {err:E3}");
        Assert.That(cos, Is.GreaterThanOrEqualTo(minimum), $"{what}: cosine {cos:F6} < {minimum}");
    }
}
