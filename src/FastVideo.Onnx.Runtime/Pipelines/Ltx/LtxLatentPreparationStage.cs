using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Noise;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Pipelines.Ltx;

/// <summary>
/// The initial latents [1, C, f, h, w] (the request's, or the first draw of a torch-compatible generator seeded with the
/// request's seed, as LTXPipeline draws them before packing), and that generator kept on the batch: the decode noise is
/// its next draw (its first when the latents were given).
/// </summary>
internal sealed class LtxLatentPreparationStage(LatentLayout latents) : PipelineStage
{
    public override string Name => "latent preparation";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        long[] shape = latents.Shape(batch.NumFrames, batch.Height, batch.Width);
        var generator = new TorchGenerator((ulong)batch.Seed);
        batch.Generator = generator;
        batch.Latents = batch.Request.Latents is { } given
            ? new HostTensor((float[])given.Data.Clone(), shape)
            : new HostTensor(generator.Randn(shape), shape);
    }
}
