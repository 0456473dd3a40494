namespace FastVideo.Onnx.Runtime.Pipelines;

/// <summary>What a stage gets besides the batch: cancellation and progress.</summary>
public sealed record StageContext(CancellationToken Cancel, IProgress<GenerationProgress>? Progress);

/// <summary>
/// One step of a pipeline with one responsibility (FastVideo's stage model): dependencies come through the constructor,
/// the batch goes in and comes out, and inputs are checked with messages a user can act on.
/// </summary>
public abstract class PipelineStage
{
    public abstract string Name { get; }
    public abstract void Run(ForwardBatch batch, StageContext context);
}
