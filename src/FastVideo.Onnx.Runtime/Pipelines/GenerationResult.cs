using FastVideo.Onnx.Runtime.Output;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Pipelines;

/// <summary>Time spent in one stage of a run.</summary>
public sealed record StageTiming(string Stage, TimeSpan Elapsed);

/// <summary>What a run produced: the final latents (before decoding), the video unless latents only, and per-stage times.</summary>
public sealed record GenerationResult(HostTensor Latents, VideoFrames? Video, int Fps, IReadOnlyList<StageTiming> Timings, IReadOnlyList<string> Notices)
{
    /// <summary>The sum of the stage times.</summary>
    public TimeSpan Total => Timings.Aggregate(TimeSpan.Zero, (a, t) => a + t.Elapsed);
}

/// <summary>Progress of a run: the stage and, while denoising, the step.</summary>
public sealed record GenerationProgress(string Stage, int Step, int Steps);
