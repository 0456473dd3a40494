using System.Diagnostics;
using System.Globalization;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Output;
using FastVideo.Onnx.Runtime.Pipelines;

namespace FastVideo.Onnx.Cli.Benchmarks;

/// <summary>One line of the soak series: memory after <see cref="Run"/> generations.</summary>
public sealed record SoakSample(int Run, long RssBytes, long ManagedBytes, TimeSpan Elapsed);

/// <summary>
/// Many generations through one reused <see cref="VideoGenerator"/> in one process, each result written as a video
/// the way generate writes it, with the process's resident memory and the managed heap sampled every
/// <see cref="Every"/> runs: a leak of sessions, device buffers, pooled tensors or output buffers shows as growth.
/// The first sample is the warm-up baseline (pools and arenas have reached their working size by then).
/// </summary>
public sealed class SoakTest(string modelFolder, RuntimeOptions runtime, int runs, int every, TextWriter log)
{
    public int Every => every;

    public IReadOnlyList<SoakSample> Run(CancellationToken cancel)
    {
        string work = Path.Combine(Path.GetTempPath(), $"fastvideo-soak-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        try
        {
            using var generator = VideoGenerator.FromPretrained(modelFolder, new GeneratorOptions { Runtime = runtime });
            var samples = new List<SoakSample>();
            var clock = Stopwatch.StartNew();
            string output = Path.Combine(work, "soak.avi");
            for (int run = 1; run <= runs; run++)
            {
                var result = generator.Generate(new GenerationRequest { Prompt = $"a soak test, run {run}", Seed = run }, cancel: cancel);
                VideoWriter.Write(output, result.Latents, result.Video, result.Fps, cancel: cancel);
                if (run % every != 0 && run != runs) continue;
                // Collect first, so the managed figure is what is still referenced, not what awaits collection.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                long managed = GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes;
                using var self = Process.GetCurrentProcess();
                var sample = new SoakSample(run, self.WorkingSet64, managed, clock.Elapsed);
                samples.Add(sample);
                log.WriteLine(Format(sample));
            }
            return samples;
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    public static string Format(SoakSample s) => string.Create(CultureInfo.InvariantCulture,
        $"run {s.Run,5}  rss {s.RssBytes / 1048576.0,8:F1} MiB  managed {s.ManagedBytes / 1048576.0,7:F1} MiB  {s.Elapsed.TotalSeconds,7:F1} s");

    /// <summary>Growth of resident memory from the first sample (after warm-up) to the last, in percent.</summary>
    public static double RssGrowthPercent(IReadOnlyList<SoakSample> samples) =>
        samples.Count < 2 ? 0 : 100.0 * (samples[^1].RssBytes - samples[0].RssBytes) / samples[0].RssBytes;

    public static double ManagedGrowthPercent(IReadOnlyList<SoakSample> samples) =>
        samples.Count < 2 ? 0 : 100.0 * (samples[^1].ManagedBytes - samples[0].ManagedBytes) / samples[0].ManagedBytes;
}
