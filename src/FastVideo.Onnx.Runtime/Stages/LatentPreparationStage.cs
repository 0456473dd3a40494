using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Noise;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>
/// The initial noise: the request's latents, or torch-compatible normal noise from the seed (the same seed gives the
/// same latents as Diffusers with torch.Generator("cpu").manual_seed(seed)).
/// </summary>
public sealed class LatentPreparationStage(int channels, int temporalScale = 4, int spatialScale = 8) : PipelineStage
{
    public override string Name => "latent preparation";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var (f, h, w) = batch.LatentGrid(temporalScale, spatialScale);
        long[] shape = { 1, channels, f, h, w };
        if (batch.Request.Latents is { } given)
        {
            batch.Latents = new HostTensor((float[])given.Data.Clone(), shape);
            return;
        }
        var generator = new TorchGenerator((ulong)batch.Seed);
        batch.Latents = new HostTensor(generator.Randn(shape), shape);
    }
}
