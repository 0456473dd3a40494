namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>How far a kernel's output is from its reference's: cosine similarity and the largest absolute difference.</summary>
internal static class OutputComparison
{
    /// <summary>
    /// A NaN in either output makes the max abs infinite, and a NaN cosine (a NaN output, or an all-zero one) counts as
    /// 0: comparisons with NaN are all false, so a check against a bound would otherwise pass.
    /// </summary>
    public static (double Cosine, double MaxAbs) Of(string what, float[] actual, float[] expected)
    {
        if (actual.Length != expected.Length)
            throw new InvalidOperationException($"{what}: the kernel gave {actual.Length} values, the reference {expected.Length}");
        double dot = 0, na = 0, nb = 0, maxAbs = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            dot += (double)actual[i] * expected[i];
            na += (double)actual[i] * actual[i];
            nb += (double)expected[i] * expected[i];
            double difference = Math.Abs((double)actual[i] - expected[i]);
            maxAbs = Math.Max(maxAbs, double.IsNaN(difference) ? double.PositiveInfinity : difference);
        }
        double cosine = dot / Math.Sqrt(na * nb);
        return (double.IsNaN(cosine) ? 0 : cosine, maxAbs);
    }
}
