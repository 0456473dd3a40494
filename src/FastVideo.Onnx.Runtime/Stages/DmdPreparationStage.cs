using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Noise;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>
/// DMD's timesteps and initial noise, as FastVideo prepares them: the request's (or the preset's) timesteps, and a
/// torch-compatible CPU generator seeded with the request's seed that draws the latents as [B, T, C, H, W]
/// (FastVideo's layout), permuted to [B, C, T, H, W] for the transformer. The generator stays in the batch: the
/// denoising stage draws each re-noise from it. Given latents (<see cref="GenerationRequest.Latents"/>) replace the initial draw only; the
/// generator still advances past it, so the re-noise draws are the seed's.
/// </summary>
public sealed class DmdPreparationStage(SamplingDefaults defaults, LatentLayout latents) : PipelineStage
{
    public override string Name => "dmd preparation";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var steps = batch.Request.DmdSteps ?? defaults.DmdSteps ?? DmdSchedule.DefaultSteps;
        var schedule = new DmdSchedule(steps);
        batch.Timesteps = schedule.Timesteps.Select(t => (float)t).ToArray();

        int channels = latents.Channels;
        var (f, h, w) = latents.Grid(batch.NumFrames, batch.Height, batch.Width);
        var generator = new TorchGenerator((ulong)batch.Seed);
        var drawn = generator.Randn(1, f, channels, h, w);
        batch.Generator = generator;
        long[] shape = { 1, channels, f, h, w };
        batch.Latents = batch.Request.Latents is { } given
            ? new HostTensor((float[])given.Data.Clone(), shape)
            : new HostTensor(FrameMajor.ToChannelMajor(drawn, channels, f, h * w), shape);
    }
}
