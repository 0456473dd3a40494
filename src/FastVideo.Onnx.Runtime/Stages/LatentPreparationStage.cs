using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Noise;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>
/// The initial noise: the request's latents, or torch-compatible normal noise from the seed (the same seed gives the
/// same latents as Diffusers with torch.Generator("cpu").manual_seed(seed)).
/// </summary>
public sealed class LatentPreparationStage(LatentLayout latents) : PipelineStage
{
    public override string Name => "latent preparation";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        long[] shape = latents.Shape(batch.NumFrames, batch.Height, batch.Width);
        if (batch.Request.Latents is { } given)
        {
            batch.Latents = new HostTensor((float[])given.Data.Clone(), shape);
            return;
        }
        var generator = new TorchGenerator((ulong)batch.Seed);
        batch.Latents = new HostTensor(generator.Randn(shape), shape);
    }
}
