using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>
/// FastVideo's DMD denoising (<c>DmdDenoisingStage</c>): for each of a few timesteps, one unguided transformer call
/// predicts the velocity v; x0 = x_t − σ·v (float64); before the next step x0 is re-noised to that step's sigma with
/// the next [B, T, C, H, W] draw of the request's generator; the last step's x0 is the result. The step-end callback
/// receives each step's x0. The latents make one round trip to the host per step (the float64 update and the noise).
/// The next step's noise does not depend on the transformer's output, so it is drawn on another thread while the
/// transformer runs: drawing 1.5M values in the generator's order takes tens of milliseconds, a fifth of a VSA forward.
/// </summary>
internal sealed class DmdDenoisingStage(IDenoiser transformer, ExecutionDevice device) : PipelineStage
{
    public override string Name => "denoising";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var latentsHost = batch.Latents ?? throw new InvalidOperationException("latents were not prepared");
        var timesteps = batch.Timesteps ?? throw new InvalidOperationException("timesteps were not prepared");
        var generator = batch.Generator ?? throw new InvalidOperationException("the noise generator was not prepared");
        if (transformer.InChannels != latentsHost.Shape[1])
            throw new InvalidOperationException($"the transformer takes {transformer.InChannels} channels; DMD prepares {latentsHost.Shape[1]}");
        if (batch.Request.VsaSparsity is not null && !transformer.UsesVsa)
            batch.Notices.Add("VsaSparsity is ignored: this transformer has dense self-attention (no VSA gates)");
        var sigmas = timesteps.Select(t => DmdSchedule.SigmaAt((int)t)).ToArray();
        long[] shape = latentsHost.Shape;                                // [1, C, f, h, w]
        var (channels, frames, plane) = (shape[1], shape[2], shape[3] * shape[4]);
        var math = device.Math;
        using var buffers = new DeviceBuffers(device);
        var hidden = buffers.Rent(shape);
        var output = buffers.Rent(1L, transformer.OutChannels, shape[2], shape[3], shape[4]);
        var text = buffers.Stack(batch.PromptEmbeds ?? throw new InvalidOperationException("the prompt was not encoded"));
        var x = (float[])latentsHost.Data.Clone();
        var x0 = new float[x.Length];
        for (int step = 0; step < timesteps.Length; step++)
        {
            context.Cancel.ThrowIfCancellationRequested();
            math.Upload(x, hidden);
            // One draw in flight at a time, in step order: the generator's sequence is what it would be drawn inline.
            var nextNoise = step + 1 < timesteps.Length
                ? Task.Run(() => FrameMajor.ToChannelMajor(generator.Randn(1, frames, channels, shape[3], shape[4]), channels, frames, plane))
                : null;
            try
            {
                transformer.Run(hidden, new[] { timesteps[step] }, text, null, output, batch.VsaSparsity);
            }
            catch
            {
                nextNoise?.Wait();  // the draw finishes before the generator and this stage are left behind
                throw;
            }
            DmdSchedule.PredictX0(x, math.Download(output), sigmas[step], x0);
            if (nextNoise is not null)
                DmdSchedule.AddNoise(x0, nextNoise.GetAwaiter().GetResult(), sigmas[step + 1], x);
            else x0.CopyTo(x, 0);
            context.StepEnd?.Invoke(step, new HostTensor((float[])x0.Clone(), shape));
            context.Progress?.Report(new GenerationProgress(Name, step + 1, timesteps.Length));
        }
        batch.Latents = new HostTensor(x, shape);
    }
}
