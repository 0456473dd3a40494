using System.Diagnostics;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Pipelines;

/// <summary>
/// A pipeline is an ordered list of stages over a <see cref="ForwardBatch"/> (FastVideo's ComposedPipeline). Subclasses
/// open their components in the constructor (sessions are created once, at load) and declare their stages;
/// <see cref="Run"/> times each stage and honours cancellation between stages and between denoising steps.
/// </summary>
public abstract class VideoPipeline : IDisposable
{
    readonly List<(string Component, TimeSpan Elapsed)> _sessionTimes = new();

    protected VideoPipeline(PipelineContext context) => Context = context;

    public PipelineContext Context { get; }

    /// <summary>The stages, in order.</summary>
    protected abstract IReadOnlyList<PipelineStage> Stages { get; }

    /// <summary>Time spent creating each component's sessions.</summary>
    public IReadOnlyList<(string Component, TimeSpan Elapsed)> SessionCreationTimes => _sessionTimes;

    /// <summary>Opens a component and keeps it until the pipeline is disposed, recording how long it took.</summary>
    protected T Open<T>(string component, Func<T> open) where T : IDisposable
    {
        var clock = Stopwatch.StartNew();
        var value = open();
        _sessionTimes.Add((component, clock.Elapsed));
        Context.Opened.Add(value);
        return value;
    }

    /// <summary>Stages skipped when the request asks for latents only.</summary>
    protected virtual bool IsDecoding(PipelineStage stage) => stage is Stages.DecodingStage;

    public GenerationResult Run(GenerationRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancel = default,
        Action<int, HostTensor>? stepEnd = null)
    {
        var batch = new ForwardBatch(request);
        var context = new StageContext(cancel, progress, stepEnd);
        var timings = new List<StageTiming>();
        foreach (var stage in Stages)
        {
            if (request.LatentsOnly && IsDecoding(stage)) continue;
            cancel.ThrowIfCancellationRequested();
            progress?.Report(new GenerationProgress(stage.Name, 0, 0));
            var clock = Stopwatch.StartNew();
            stage.Run(batch, context);
            timings.Add(new StageTiming(stage.Name, clock.Elapsed));
        }
        return new GenerationResult(batch.Latents!, batch.Video, batch.Fps, timings, batch.Notices);
    }

    public virtual void Dispose() => DisposeOpened(Context);

    /// <summary>Disposes what a pipeline over <paramref name="context"/> opened, last first.</summary>
    internal static void DisposeOpened(PipelineContext context)
    {
        var opened = context.Opened;
        for (int i = opened.Count - 1; i >= 0; i--) opened[i].Dispose();
        opened.Clear();
    }
}
