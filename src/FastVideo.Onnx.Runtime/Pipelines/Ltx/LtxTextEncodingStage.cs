using FastVideo.Onnx.Runtime.Components;

namespace FastVideo.Onnx.Runtime.Pipelines.Ltx;

/// <summary>Prompt (and, with guidance, negative prompt) to T5 embeddings and their caption masks.</summary>
internal sealed class LtxTextEncodingStage(IMaskedTextEncoder encoder) : PipelineStage
{
    public override string Name => "text encoding";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var state = LtxBatchState.Of(batch);
        (batch.PromptEmbeds, state.PromptMask) = encoder.EncodeWithMask(batch.Prompt, batch.MaxSequenceLength);
        context.Cancel.ThrowIfCancellationRequested();
        if (batch.DoClassifierFreeGuidance)
            (batch.NegativePromptEmbeds, state.NegativePromptMask) = encoder.EncodeWithMask(batch.NegativePrompt, batch.MaxSequenceLength);
    }
}
