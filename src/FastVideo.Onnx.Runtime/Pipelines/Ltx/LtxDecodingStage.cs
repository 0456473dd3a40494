using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Noise;
using FastVideo.Onnx.Runtime.Output;
using FastVideo.Onnx.Runtime.Stages;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Pipelines.Ltx;

/// <summary>
/// Latents to frames as LTXPipeline decodes them: for a timestep-conditioned VAE the decode noise is the request
/// generator's next draw (shaped like the latents), mixed in at the decode noise scale and decoded at the decode timestep;
/// then Diffusers' post-processing (<see cref="DecodingStage.ToFrames"/>).
/// </summary>
internal sealed class LtxDecodingStage(ITimestepVaeDecoder vae) : PipelineStage
{
    public override string Name => "decoding";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var latents = batch.Latents ?? throw new InvalidOperationException("no latents to decode");
        var state = LtxBatchState.Of(batch);
        HostTensor decoded;
        if (vae.TimestepConditioned)
        {
            var generator = batch.Generator ?? new TorchGenerator((ulong)batch.Seed);
            var noise = new HostTensor(generator.Randn(latents.Shape), latents.Shape);
            decoded = vae.Decode(latents, state.DecodeTimestep ?? throw new InvalidOperationException("the decode timestep was not resolved"),
                noise, state.DecodeNoiseScale, context.Cancel);
        }
        else decoded = vae.Decode(latents, context.Cancel);
        batch.Video = new VideoFrames(DecodingStage.ToFrames(decoded));
    }
}
