using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>
/// The denoising loop, resident on the execution device: the transformer's input buffer [B, in_channels, f, h, w]
/// holds the latents (written by each step) and the conditioning channels (written once); with classifier-free
/// guidance the conditional and unconditional passes run as one batch-2 call, the guidance combination and the
/// scheduler update are weighted sums on the device, and the host sees the latents only when the loop ends.
/// <para>
/// What differs between models comes in as strategies: which denoiser runs a step and with which guidance scale
/// (<see cref="IStepDenoisers"/>: one transformer, or experts switched by timestep), and the timestep input
/// (<see cref="IStepTimesteps"/>: per batch entry, or per latent token). First-frame latents, when a stage prepared
/// them, are pinned (<see cref="LatentFramePins"/>); that needs per-token timesteps, which give their tokens timestep 0.
/// </para>
/// </summary>
internal sealed class DenoisingStage(IStepDenoisers denoisers, ExecutionDevice device, IStepTimesteps? stepTimesteps = null) : PipelineStage
{
    readonly IStepTimesteps _stepTimesteps = stepTimesteps ?? PerSampleTimesteps.Instance;

    /// <summary>One transformer for every step, one timestep per batch entry.</summary>
    public DenoisingStage(IDenoiser transformer, ExecutionDevice device) : this(new SingleDenoiser(transformer), device) { }

    public override string Name => "denoising";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var latentsHost = batch.Latents ?? throw new InvalidOperationException("latents were not prepared");
        var timesteps = batch.Timesteps ?? throw new InvalidOperationException("timesteps were not prepared");
        var sched = batch.Scheduler ?? throw new InvalidOperationException("the scheduler was not prepared");
        var prompt = batch.PromptEmbeds ?? throw new InvalidOperationException("the prompt was not encoded");
        var math = device.Math;
        bool cfg = batch.DoClassifierFreeGuidance;
        var negative = cfg ? batch.NegativePromptEmbeds ?? throw new InvalidOperationException("the negative prompt was not encoded") : null;
        int b = cfg ? 2 : 1;
        long[] latentShape = latentsHost.Shape;                        // [1, C, f, h, w]
        long c = latentShape[1], grid = latentShape[2] * latentShape[3] * latentShape[4];
        long cin = denoisers.InChannels;
        long extra = cin - c;
        if (extra > 0 && batch.Condition is null) throw new InvalidOperationException($"the transformer takes {cin} channels but no conditioning was prepared");
        if (extra == 0 && batch.Condition is not null) throw new InvalidOperationException("conditioning was prepared for a transformer that takes none");
        if (batch.FirstFrameLatents is not null && !_stepTimesteps.PerToken)
            throw new InvalidOperationException("first-frame latents were prepared for a transformer without per-token timesteps (it cannot mark them as clean)");

        long[] Shape(long batchSize, long channels) => new[] { batchSize, channels, latentShape[2], latentShape[3], latentShape[4] };
        using var buffers = new DeviceBuffers(device);
        try
        {
            var hidden = buffers.Rent(Shape(b, cin));
            var output = buffers.Rent(Shape(b, denoisers.OutChannels));
            var latents = buffers.Rent(latentShape);
            var prediction = cfg ? buffers.Rent(latentShape) : null;
            math.Upload(latentsHost.Data, latents);

            var latentViews = Enumerable.Range(0, b).Select(i => buffers.View(hidden, i * cin * grid, latentShape)).ToArray();
            if (batch.Condition is { } condition)
                for (int i = 0; i < b; i++) math.Upload(condition.Data, buffers.View(hidden, i * cin * grid + c * grid, Shape(1, extra)));
            var pins = batch.FirstFrameLatents is { } firstFrame ? new LatentFramePins(firstFrame, buffers, hidden, latentShape) : null;

            var text = cfg ? buffers.Stack(prompt, negative!) : buffers.Stack(prompt);
            var image = batch.ImageEmbeds is { } imageEmbeds ? cfg ? buffers.Stack(imageEmbeds, imageEmbeds) : buffers.Stack(imageEmbeds) : null;

            using var workspace = new SchedulerWorkspace(math, device.Pool);
            var noiseCond = buffers.View(output, 0, latentShape);
            var noiseUncond = cfg ? buffers.View(output, c * grid, latentShape) : null;
            sched.Reset();
            if (batch.Request.VsaSparsity is not null && !denoisers.UsesVsa)
                batch.Notices.Add("VsaSparsity is ignored: this transformer has dense self-attention (no VSA gates)");
            for (int step = 0; step < timesteps.Length; step++)
            {
                context.Cancel.ThrowIfCancellationRequested();
                float t = timesteps[step];
                var (denoiser, guidanceScale) = denoisers.For(t, batch);
                math.LinearCombination(new[] { 1.0 }, new[] { latents }, latentViews);
                pins?.Apply();
                denoiser.Run(hidden, _stepTimesteps.For(t, b, latentShape, pins?.Frames ?? 0), text, image, output, batch.VsaSparsity);
                DeviceTensor noise = noiseCond;
                if (cfg)
                {
                    ClassifierFreeGuidance.Combine(math, guidanceScale, noiseCond, noiseUncond!, prediction!);
                    noise = prediction!;
                }
                sched.Step(noise, step, latents, workspace);
                context.StepEnd?.Invoke(step, new HostTensor(math.Download(latents), latentShape));
                context.Progress?.Report(new GenerationProgress(Name, step + 1, timesteps.Length));
            }
            var result = math.Download(latents);
            pins?.Restore(result);
            batch.Latents = new HostTensor(result, latentShape);
        }
        finally
        {
            sched.Reset();
        }
    }
}
