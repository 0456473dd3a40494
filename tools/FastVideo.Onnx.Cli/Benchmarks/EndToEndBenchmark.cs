using System.Diagnostics;
using FastVideo.Onnx.Cli.Console;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Runtime.Diagnostics;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Pipelines;

namespace FastVideo.Onnx.Cli.Benchmarks;

/// <summary>
/// The whole text-to-video run of any family through <see cref="VideoGenerator"/> with the resolved settings: the
/// pipeline's load, one warm-up run (2 steps, or the whole run for a few-step DMD pipeline), then the timed run with its
/// GPU memory peak and each stage's time (text encoding, denoising, decoding, ...) as its own entry.
/// </summary>
internal static class EndToEndBenchmark
{
    /// <summary>FastVideo's few-step pipeline: it runs its DMD steps, unguided, whatever the request's step count.</summary>
    const string DmdPipeline = "WanDMDPipeline";

    public static void Run(string model, BenchmarkOptions options, SamplingDefaults sampling, BenchmarkRecorder recorder, ExecutionDevice device)
    {
        const string part = BenchmarkOptions.EndToEnd;
        string precision = options.TransformerPrecision.ShortName();
        var load = Stopwatch.StartNew();
        long baseline = recorder.Baseline(device);
        using var video = VideoGenerator.FromPretrained(model, new GeneratorOptions { Runtime = options.Runtime, Sampling = sampling, Notice = recorder.Log.WriteLine });
        load.Stop();
        recorder.Add(BenchMeasurement.From("session creation: whole pipeline", precision, new[] { load.Elapsed.TotalMilliseconds }, recorder.Above(baseline),
            string.Join(", ", video.SessionCreationTimes.Select(c => $"{c.Component} {c.Elapsed.TotalSeconds:F2} s")), part: part));
        bool dmd = video.PipelineClass == DmdPipeline;
        var request = new GenerationRequest { Prompt = "A red fox runs through fresh snow at sunrise, cinematic lighting.", Seed = 0 };
        // Warm-up as the PyTorch baselines do (2 steps and a decode): first-use work such as cuDNN's convolution search
        // and the matmul autotuning stays out of the timed run. A DMD run is only 3 steps: it warms up whole.
        video.Generate(dmd ? request : request with { Steps = 2 });
        var bar = ProgressBar.ForStderr(recorder.Log);
        var memory = GpuMemoryMonitor.Start(options.Runtime.DeviceId);
        GenerationResult result;
        var clock = Stopwatch.StartNew();
        try
        {
            result = video.Generate(request, new Core.Progress.CallbackProgress<GenerationProgress>(p =>
            {
                if (p.Steps > 0) bar.Update((double)p.Step / p.Steps, "e2e denoising", $"step {p.Step}/{p.Steps}");
            }));
            clock.Stop();
        }
        finally
        {
            memory.Dispose();
        }
        bar.Done();
        string size = $"{sampling.NumFrames}x{sampling.Height}x{sampling.Width}";
        int dmdSteps = sampling.DmdSteps?.Length ?? 3;
        string what = dmd
            ? $"text-to-video {size}, {dmdSteps} DMD steps, unguided, VSA sparsity {sampling.VsaSparsity:0.##}"
            : $"text-to-video {size}, {sampling.Steps} steps, guidance {sampling.GuidanceScale:0.##}";
        recorder.Add(BenchMeasurement.From(what, precision, new[] { clock.Elapsed.TotalMilliseconds }, baseline < 0 ? -1 : memory.Peak - baseline,
            string.Join(", ", result.Timings.Select(t => $"{t.Stage} {t.Elapsed.TotalSeconds:F2} s")), part: part));
        // Each stage on its own line: the denoising loop alone is a target of its own (FastWan's 3 DMD steps).
        foreach (var stage in result.Timings)
            recorder.Add(BenchMeasurement.From($"whole run, {stage.Stage} stage", precision, new[] { stage.Elapsed.TotalMilliseconds }, -1, what, part: part));
        recorder.Log.WriteLine($"{what}: {clock.Elapsed.TotalSeconds:F2} s");
    }
}
