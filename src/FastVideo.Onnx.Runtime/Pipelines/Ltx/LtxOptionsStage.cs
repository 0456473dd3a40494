using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Runtime.Pipelines.Ltx;

/// <summary>
/// Resolves LTX's request options against the sampling defaults: FrameRate, GuidanceRescale, and for a timestep-conditioned
/// VAE DecodeTimestep (required: the request's or the preset's) and DecodeNoiseScale (else DecodeTimestep, as Diffusers).
/// </summary>
internal sealed class LtxOptionsStage(SamplingDefaults defaults, bool timestepConditionedVae) : PipelineStage
{
    public override string Name => "ltx options";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var r = batch.Request;
        var state = LtxBatchState.Of(batch);
        state.FrameRate = r.FrameRate ?? defaults.FrameRate;
        if (!(state.FrameRate > 0) || !double.IsFinite(state.FrameRate))
            throw new InvalidRequestException(nameof(GenerationRequest.FrameRate), $"{state.FrameRate} must be a positive number of frames per second");
        state.GuidanceRescale = r.GuidanceRescale ?? defaults.GuidanceRescale;
        if (!(state.GuidanceRescale is >= 0 and <= 1))
            throw new InvalidRequestException(nameof(GenerationRequest.GuidanceRescale), $"{state.GuidanceRescale} must be in [0, 1]");
        if (!timestepConditionedVae)
        {
            if (r.DecodeTimestep is not null || r.DecodeNoiseScale is not null)
                batch.Notices.Add("DecodeTimestep/DecodeNoiseScale are ignored: this model's VAE decoder is not timestep-conditioned");
            state.DecodeTimestep = null;
            return;
        }
        double timestep = r.DecodeTimestep ?? defaults.DecodeTimestep ??
            throw new InvalidRequestException(nameof(GenerationRequest.DecodeTimestep),
                "is required: this model's VAE decoder is timestep-conditioned and the sampling defaults give no decode timestep");
        if (!(timestep >= 0) || !double.IsFinite(timestep))
            throw new InvalidRequestException(nameof(GenerationRequest.DecodeTimestep), $"{timestep} must be zero or positive");
        double scale = r.DecodeNoiseScale ?? defaults.DecodeNoiseScale ?? timestep;
        if (!(scale is >= 0 and <= 1))
            throw new InvalidRequestException(nameof(GenerationRequest.DecodeNoiseScale), $"{scale} must be in [0, 1] (the weight of the noise mixed into the latents)");
        state.DecodeTimestep = (float)timestep;
        state.DecodeNoiseScale = (float)scale;
    }
}
