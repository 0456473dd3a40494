using FastVideo.Onnx.Core.Contracts.Ltx;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Runtime.Tensors;
using FastVideo.Onnx.Runtime.Stages;

namespace FastVideo.Onnx.Runtime.Pipelines.Ltx;

/// <summary>
/// LTXPipeline's denoising loop on packed tokens, resident on the execution device: the latents are packed once
/// ([1, f·h·w, C]), with guidance the unconditional and conditional passes run as one batch-2 call (negative prompt
/// first, as Diffusers concatenates them), guidance and the Euler update are weighted sums on the device. With
/// guidance_rescale the guided prediction is rescaled on the host (it needs the standard deviations). The step callback
/// receives the packed latents (what Diffusers' callback sees); the batch gets them unpacked back at the end.
/// </summary>
internal sealed class LtxDenoisingStage(IPackedDenoiser transformer, ExecutionDevice device, LatentLayout layout) : PipelineStage
{
    public override string Name => "denoising";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var latentsHost = batch.Latents ?? throw new InvalidOperationException("latents were not prepared");
        var timesteps = batch.Timesteps ?? throw new InvalidOperationException("timesteps were not prepared");
        var sched = batch.Scheduler ?? throw new InvalidOperationException("the scheduler was not prepared");
        var state = LtxBatchState.Of(batch);
        var math = device.Math;
        bool cfg = batch.DoClassifierFreeGuidance;
        int b = cfg ? 2 : 1;
        var (patch, patchT) = transformer.PatchSize;
        var s = latentsHost.Shape;                                         // [1, C, f, h, w]
        int c = (int)s[1], f = (int)s[2], h = (int)s[3], w = (int)s[4];
        var grid = ((long)(f / patchT), (long)(h / patch), (long)(w / patch));
        long tokens = grid.Item1 * grid.Item2 * grid.Item3;
        long features = (long)c * patch * patch * patchT;
        if (features != transformer.InChannels)
            throw new InvalidOperationException($"packed latents have {features} features but the transformer takes {transformer.InChannels}");
        long[] packedShape = { 1, tokens, features };
        // rope_interpolation_scale = (temporal compression / frame rate, spatial compression, spatial compression)
        var ropeScale = new[] { (float)(layout.TemporalCompression / state.FrameRate), (float)layout.SpatialCompression, (float)layout.SpatialCompression };

        using var buffers = new DeviceBuffers(device);
        try
        {
            var hidden = buffers.Rent(b, tokens, features);
            var output = buffers.Rent(b, tokens, transformer.OutChannels);
            var latents = buffers.Rent(packedShape);
            var prediction = cfg ? buffers.Rent(packedShape) : null;
            math.Upload(LtxLatentPacking.Pack(latentsHost.Data, 1, c, f, h, w, patch, patchT), latents);
            var latentViews = Enumerable.Range(0, b).Select(i => buffers.View(hidden, i * tokens * features, packedShape)).ToArray();

            var positive = batch.PromptEmbeds ?? throw new InvalidOperationException("the prompt was not encoded");
            DeviceTensor text;
            long[] mask;
            if (cfg)
            {
                var negative = batch.NegativePromptEmbeds ?? throw new InvalidOperationException("the negative prompt was not encoded");
                text = buffers.Stack(negative, positive);
                mask = state.NegativePromptMask!.Concat(state.PromptMask!).ToArray();
            }
            else
            {
                text = buffers.Stack(positive);
                mask = state.PromptMask!;
            }

            using var workspace = new SchedulerWorkspace(math, device.Pool);
            var noiseUncond = cfg ? buffers.View(output, 0, packedShape) : null;
            var noiseCond = buffers.View(output, cfg ? tokens * transformer.OutChannels : 0, packedShape);
            sched.Reset();
            for (int step = 0; step < timesteps.Length; step++)
            {
                context.Cancel.ThrowIfCancellationRequested();
                math.LinearCombination(new[] { 1.0 }, new[] { latents }, latentViews);
                transformer.Run(hidden, Enumerable.Repeat(timesteps[step], b).ToArray(), text, mask, grid, ropeScale, output);
                DeviceTensor noise = noiseCond;
                if (cfg)
                {
                    ClassifierFreeGuidance.Combine(math, batch.GuidanceScale, noiseCond, noiseUncond!, prediction!);
                    if (state.GuidanceRescale > 0) Rescale(math, prediction!, noiseCond, state.GuidanceRescale);
                    noise = prediction!;
                }
                sched.Step(noise, step, latents, workspace);
                context.StepEnd?.Invoke(step, new HostTensor(math.Download(latents), packedShape));
                context.Progress?.Report(new GenerationProgress(Name, step + 1, timesteps.Length));
            }
            batch.Latents = new HostTensor(LtxLatentPacking.Unpack(math.Download(latents), 1, c, f, h, w, patch, patchT), s);
        }
        finally
        {
            sched.Reset();
        }
    }

    /// <summary>
    /// Diffusers' rescale_noise_cfg: the guided prediction scaled to the conditional one's standard deviation (torch's
    /// unbiased std over all elements of the row), mixed with the unscaled one by <paramref name="rescale"/>.
    /// </summary>
    static void Rescale(IDeviceMath math, DeviceTensor guided, DeviceTensor conditional, double rescale)
    {
        var g = math.Download(guided);
        var t = math.Download(conditional);
        double factor = Std(t) / Std(g);
        double k = rescale * factor + (1 - rescale);
        for (int i = 0; i < g.Length; i++) g[i] = (float)(g[i] * k);
        math.Upload(g, guided);
    }

    static double Std(float[] x)
    {
        double mean = x.Average(v => (double)v);
        double sum = x.Sum(v => ((double)v - mean) * ((double)v - mean));
        return Math.Sqrt(sum / Math.Max(1, x.Length - 1));
    }
}
