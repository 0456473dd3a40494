using System.Text.Json.Serialization;

namespace FastVideo.Onnx.Cli.Benchmarks;

/// <summary>
/// One benchmark result: wall-clock times of repeated runs, the GPU memory peak above the pre-run baseline during the
/// timed runs, and the peak during the warm-up runs before them (first-use work such as cuDNN's algorithm search);
/// <see cref="Part"/> is the <c>--parts</c> entry it belongs to (transformer, vae, text, e2e).
/// </summary>
public sealed record BenchMeasurement(
    [property: JsonPropertyName("what")] string What,
    [property: JsonPropertyName("precision")] string Precision,
    [property: JsonPropertyName("min_ms")] double MinMs,
    [property: JsonPropertyName("median_ms")] double MedianMs,
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("peak_gpu_gib")] double? PeakGpuGiB,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("warmup_peak_gpu_gib")] double? WarmupPeakGpuGiB = null,
    [property: JsonPropertyName("part")] string? Part = null)
{
    public static BenchMeasurement From(string what, string precision, IReadOnlyList<double> times, long peakBytes, string detail, long warmupPeakBytes = -1,
        string? part = null)
    {
        var sorted = times.OrderBy(t => t).ToList();
        return new BenchMeasurement(what, precision, Math.Round(sorted[0], 2), Math.Round(sorted[sorted.Count / 2], 2), sorted.Count,
            GiB(peakBytes), detail, GiB(warmupPeakBytes), part);
    }

    static double? GiB(long bytes) => bytes < 0 ? null : Math.Round(bytes / (double)(1L << 30), 2);
}
