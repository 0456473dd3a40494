using System.Text.Json.Serialization;

namespace FastVideo.Onnx.Cli.Benchmarks;

/// <summary>One benchmark result: wall-clock times of repeated runs and the GPU memory peak above the pre-run baseline.</summary>
public sealed record BenchMeasurement(
    [property: JsonPropertyName("what")] string What,
    [property: JsonPropertyName("precision")] string Precision,
    [property: JsonPropertyName("min_ms")] double MinMs,
    [property: JsonPropertyName("median_ms")] double MedianMs,
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("peak_gpu_gib")] double? PeakGpuGiB,
    [property: JsonPropertyName("detail")] string Detail)
{
    public static BenchMeasurement From(string what, string precision, IReadOnlyList<double> times, long peakBytes, string detail)
    {
        var sorted = times.OrderBy(t => t).ToList();
        return new BenchMeasurement(what, precision, Math.Round(sorted[0], 2), Math.Round(sorted[sorted.Count / 2], 2), sorted.Count,
            peakBytes < 0 ? null : Math.Round(peakBytes / (double)(1L << 30), 2), detail);
    }
}
