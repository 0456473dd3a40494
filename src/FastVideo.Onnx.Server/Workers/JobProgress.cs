using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Server.Jobs;

namespace FastVideo.Onnx.Server.Workers;

/// <summary>
/// Turns the library's progress reports into the job's integer progress: up to 5 while the prompt is encoded and the
/// latents prepared, 5-90 over the denoising steps, 90-95 over the VAE's decoded chunks, 95 while the file is written,
/// 100 when completed.
/// Each change is stored (so polling sees it) and published to the job's event streams; when the job service answers
/// that the job is no longer this worker's (cancelled, deleted, or taken over after its silo was presumed dead), the
/// generation is stopped through <paramref name="lost"/>.
/// </summary>
internal sealed class JobProgress(string jobId, string worker, IJobService jobs, CancellationTokenSource lost) : IProgress<GenerationProgress>
{
    public const int Denoising = 5, Decoding = 90, Writing = 95;

    /// <summary>The stage name of the VAE decode, whose chunks count 90-95.</summary>
    const string DecodingStage = "decoding";

    int _progress;
    bool _denoised;
    string? _stage;

    public void Report(GenerationProgress value)
    {
        int progress;
        if (value.Steps > 0 && _denoised && value.Stage == DecodingStage)
            progress = Decoding + (Writing - Decoding) * Math.Clamp(value.Step, 0, value.Steps) / value.Steps;
        else if (value.Steps > 0)
        {
            _denoised = true;
            progress = Denoising + (Decoding - Denoising) * Math.Clamp(value.Step, 0, value.Steps) / value.Steps;
        }
        else progress = _denoised ? Decoding : Math.Min(Denoising - 1, _progress + 1);
        Set(Math.Max(progress, _progress), value.Stage, value.Step, value.Steps);
    }

    public void WritingOutput() => Set(Writing, "writing output", 0, 0);

    void Set(int progress, string stage, int step, int steps)
    {
        _progress = progress;
        _stage = stage;
        _ = ReportAsync(progress, stage, step, steps);
    }

    async Task ReportAsync(int progress, string stage, int step, int steps)
    {
        try
        {
            if (!await jobs.ReportProgressAsync(jobId, worker, progress, stage, step, steps).ConfigureAwait(false)) lost.Cancel();
        }
        catch (Exception e) when (e is TimeoutException or Orleans.Runtime.OrleansException or ObjectDisposedException)
        {
            // A progress report that does not arrive is not an error of the job: the next one, or the result, will.
        }
    }
}
