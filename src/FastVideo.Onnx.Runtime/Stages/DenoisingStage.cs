using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Runtime.Tensors;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>
/// The denoising loop, resident on the execution device: the transformer's input buffer [B, in_channels, f, h, w]
/// holds the latents (written by each step) and the conditioning channels (written once); with classifier-free
/// guidance the conditional and unconditional passes run as one batch-2 call, the guidance combination and the
/// scheduler update are weighted sums on the device, and the host sees the latents only when the loop ends.
/// </summary>
public sealed class DenoisingStage(IDenoiser transformer, ExecutionDevice device) : PipelineStage
{
    public override string Name => "denoising";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var latentsHost = batch.Latents ?? throw new InvalidOperationException("latents were not prepared");
        var timesteps = batch.Timesteps ?? throw new InvalidOperationException("timesteps were not prepared");
        var sched = batch.Scheduler ?? throw new InvalidOperationException("the scheduler was not prepared");
        var pool = device.Pool;
        var math = device.Math;
        bool cfg = batch.DoClassifierFreeGuidance;
        int b = cfg ? 2 : 1;
        long[] latentShape = latentsHost.Shape;                        // [1, C, f, h, w]
        long c = latentShape[1], grid = latentShape[2] * latentShape[3] * latentShape[4];
        long cin = transformer.InChannels;
        long extra = cin - c;
        if (extra > 0 && batch.Condition is null) throw new InvalidOperationException($"the transformer takes {cin} channels but no conditioning was prepared");
        if (extra == 0 && batch.Condition is not null) throw new InvalidOperationException("conditioning was prepared for a transformer that takes none");

        long[] Shape(long batchSize, long channels) => new[] { batchSize, channels, latentShape[2], latentShape[3], latentShape[4] };
        var rented = new List<DeviceTensor>();
        var views = new List<DeviceTensor>();
        DeviceTensor Rent(params long[] shape)
        {
            var t = pool.Rent(TensorElementType.Float, shape);
            rented.Add(t);
            return t;
        }
        DeviceTensor View(DeviceTensor t, long offset, long[] shape)
        {
            var v = t.View(offset, shape);
            views.Add(v);
            return v;
        }

        try
        {
            var hidden = Rent(Shape(b, cin));
            var output = Rent(Shape(b, transformer.OutChannels));
            var latents = Rent(latentShape);
            var prediction = cfg ? Rent(latentShape) : null;
            math.Upload(latentsHost.Data, latents);

            var latentViews = Enumerable.Range(0, b).Select(i => View(hidden, i * cin * grid, latentShape)).ToArray();
            if (batch.Condition is { } condition)
                for (int i = 0; i < b; i++) math.Upload(condition.Data, View(hidden, i * cin * grid + c * grid, Shape(1, extra)));

            var text = Rent(batch.PromptEmbeds!.Shape.Select((d, i) => i == 0 ? b : d).ToArray());
            math.Upload(Concat(batch.PromptEmbeds!, cfg ? batch.NegativePromptEmbeds : null), text);
            DeviceTensor? image = null;
            if (batch.ImageEmbeds is { } imageEmbeds)
            {
                image = Rent(imageEmbeds.Shape.Select((d, i) => i == 0 ? b : d).ToArray());
                math.Upload(Concat(imageEmbeds, cfg ? imageEmbeds : null), image);
            }

            using var workspace = new SchedulerWorkspace(math, pool);
            var noiseCond = View(output, 0, latentShape);
            var noiseUncond = cfg ? View(output, c * grid, latentShape) : null;
            sched.Reset();
            if (batch.Request.VsaSparsity is not null && !transformer.UsesVsa)
                batch.Notices.Add("VsaSparsity is ignored: this transformer has dense self-attention (no VSA gates)");
            for (int step = 0; step < timesteps.Length; step++)
            {
                context.Cancel.ThrowIfCancellationRequested();
                math.LinearCombination(new[] { 1.0 }, new[] { latents }, latentViews);
                transformer.Run(hidden, Enumerable.Repeat(timesteps[step], b).ToArray(), text, image, output, batch.VsaSparsity);
                DeviceTensor noise = noiseCond;
                if (cfg)
                {
                    // noise_uncond + g · (noise_cond − noise_uncond)
                    double g = batch.GuidanceScale;
                    math.LinearCombination(new[] { g, 1 - g }, new[] { noiseCond, noiseUncond! }, new[] { prediction! });
                    noise = prediction!;
                }
                sched.Step(noise, step, latents, workspace);
                context.StepEnd?.Invoke(step, new HostTensor(math.Download(latents), latentShape));
                context.Progress?.Report(new GenerationProgress(Name, step + 1, timesteps.Length));
            }
            batch.Latents = new HostTensor(math.Download(latents), latentShape);
        }
        finally
        {
            sched.Reset();
            foreach (var v in views) v.Dispose();
            foreach (var t in rented) pool.Return(t);
        }
    }

    static float[] Concat(HostTensor first, HostTensor? second)
    {
        if (second is null) return first.Data;
        var all = new float[first.Data.Length + second.Data.Length];
        first.Data.CopyTo(all, 0);
        second.Data.CopyTo(all, first.Data.Length);
        return all;
    }
}
