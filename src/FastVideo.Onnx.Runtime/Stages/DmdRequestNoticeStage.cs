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
        if (r.GuidanceScale is not null) ignored.Add("--guidance-scale");
        if (!string.IsNullOrEmpty(r.NegativePrompt)) ignored.Add("--negative-prompt");
        if (r.Steps is not null) ignored.Add("--steps (use --dmd-steps)");
        if (ignored.Count > 0) batch.Notices.Add($"{string.Join(", ", ignored)}: ignored, DMD sampling is unguided and has no negative prompt");
        batch.GuidanceScale = 1.0;
        batch.NegativePrompt = "";
    }
}
