using FastVideo.Onnx.Runtime.Pipelines;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>
/// DMD runs without classifier-free guidance and without a negative prompt: a request that sets either gets a
/// one-line notice, and guidance is switched off for the stages that follow (no negative prompt is encoded).
/// </summary>
public sealed class DmdRequestNoticeStage : PipelineStage
{
    public override string Name => "dmd request";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var r = batch.Request;
        var ignored = new List<string>();
        if (r.GuidanceScale is not null) ignored.Add(nameof(GenerationRequest.GuidanceScale));
        if (!string.IsNullOrEmpty(r.NegativePrompt)) ignored.Add(nameof(GenerationRequest.NegativePrompt));
        if (r.Steps is not null) ignored.Add($"{nameof(GenerationRequest.Steps)} (use {nameof(GenerationRequest.DmdSteps)})");
        if (ignored.Count > 0) batch.Notices.Add($"{string.Join(", ", ignored)}: ignored, DMD sampling is unguided and has no negative prompt");
        batch.GuidanceScale = 1.0;
        batch.NegativePrompt = "";
    }
}
