using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Pipelines;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>Prompt (and, with guidance, negative prompt) to the text encoder's embeddings.</summary>
public sealed class TextEncodingStage(ITextEncoder encoder) : PipelineStage
{
    public override string Name => "text encoding";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        batch.PromptEmbeds = encoder.Encode(batch.Prompt, batch.MaxSequenceLength);
        context.Cancel.ThrowIfCancellationRequested();
        if (batch.DoClassifierFreeGuidance) batch.NegativePromptEmbeds = encoder.Encode(batch.NegativePrompt, batch.MaxSequenceLength);
    }
}
