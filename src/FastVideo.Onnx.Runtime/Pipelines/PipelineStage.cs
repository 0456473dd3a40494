namespace FastVideo.Onnx.Runtime.Pipelines;

/// <summary>
/// What a stage gets besides the batch: cancellation, progress, and an optional per-step callback with the latents
/// (it makes the device loop copy them to the host each step: for tests and previews).
/// </summary>
public sealed record StageContext(CancellationToken Cancel, IProgress<GenerationProgress>? Progress, Action<int, Tensors.HostTensor>? StepEnd = null);

/// <summary>
/// One step of a pipeline with one responsibility (FastVideo's stage model): dependencies come through the constructor,
/// the batch goes in and comes out, and inputs are checked with messages a user can act on.
/// </summary>
public abstract class PipelineStage
{
    public abstract string Name { get; }
    public abstract void Run(ForwardBatch batch, StageContext context);
}
