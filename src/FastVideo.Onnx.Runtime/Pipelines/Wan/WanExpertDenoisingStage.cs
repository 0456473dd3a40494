using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Runtime.Components.Wan;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Runtime.Stages;
using FastVideo.Onnx.Runtime.Tensors;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Runtime.Pipelines.Wan;

/// <summary>
/// The Wan2.2 denoising loop (Diffusers' WanPipeline / WanImageToVideoPipeline with <c>boundary_ratio</c> or
/// <c>expand_timesteps</c>), resident on the device like <see cref="DenoisingStage"/>:
/// <list type="bullet">
/// <item>A14B: each step runs the expert its timestep falls to (<see cref="WanExperts"/>), with that expert's guidance
/// scale (<c>guidance_scale</c> above the boundary, <c>guidance_scale_2</c> below).</item>
/// <item>TI2V (<c>expand_timesteps</c>): the timestep is per token, [B, S]; for image-to-video the image's latents
/// (<see cref="ForwardBatch.FirstFrameLatents"/>) replace latent frame 0 of the transformer's input at every step, its
/// tokens get timestep 0, and they replace frame 0 of the final latents too (the scheduler's own frame 0 is discarded).</item>
/// <item>A14B image-to-video: the mask and encoded image channels (<see cref="ForwardBatch.Condition"/>) follow the
/// latents in the input, as Wan2.1's.</item>
/// </list>
/// The experts are denoisers by role; the token layout (patch, per-token timesteps) is the transformer's contract.
/// </summary>
public sealed class WanExpertDenoisingStage(WanExperts experts, WanTransformerContract transformer, ExecutionDevice device) : PipelineStage
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
        long[] latentShape = latentsHost.Shape; // [1, C, f, h, w]
        long c = latentShape[1], f = latentShape[2], plane = latentShape[3] * latentShape[4], grid = f * plane;
        long cin = experts.InChannels, extra = cin - c;
        if (extra > 0 && batch.Condition is null) throw new InvalidOperationException($"the transformer takes {cin} channels but no conditioning was prepared");
        if (extra == 0 && batch.Condition is not null) throw new InvalidOperationException("conditioning was prepared for a transformer that takes none");
        var firstFrame = batch.FirstFrameLatents;
        if (firstFrame is not null && !transformer.PerTokenTimesteps)
            throw new InvalidOperationException("first-frame conditioning needs a transformer with per-token timesteps (expand_timesteps)");

        long[] Shape(long batchSize, long channels) => new[] { batchSize, channels, f, latentShape[3], latentShape[4] };
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
            var output = Rent(Shape(b, experts.OutChannels));
            var latents = Rent(latentShape);
            var prediction = cfg ? Rent(latentShape) : null;
            math.Upload(latentsHost.Data, latents);

            var latentViews = Enumerable.Range(0, b).Select(i => View(hidden, i * cin * grid, latentShape)).ToArray();
            if (batch.Condition is { } condition)
                for (int i = 0; i < b; i++) math.Upload(condition.Data, View(hidden, i * cin * grid + c * grid, Shape(1, extra)));

            // TI2V image-to-video: frame 0 of each channel of each batch item comes from the image's latents, on the device.
            DeviceTensor[] frameSources = Array.Empty<DeviceTensor>(), frameTargets = Array.Empty<DeviceTensor>();
            if (firstFrame is not null)
            {
                var frames = Rent(c, plane);
                math.Upload(firstFrame.Data, frames);
                frameSources = Enumerable.Range(0, (int)c).Select(ch => View(frames, ch * plane, new[] { plane })).ToArray();
                frameTargets = Enumerable.Range(0, b * (int)c).Select(k => View(hidden, k / c * cin * grid + k % c * grid, new[] { plane })).ToArray();
            }

            var text = Rent(batch.PromptEmbeds!.Shape.Select((d, i) => i == 0 ? b : d).ToArray());
            math.Upload(Concat(batch.PromptEmbeds!, cfg ? batch.NegativePromptEmbeds : null), text);

            using var workspace = new SchedulerWorkspace(math, pool);
            var noiseCond = View(output, 0, latentShape);
            var noiseUncond = cfg ? View(output, c * grid, latentShape) : null;
            long tokensPerFrame = latentShape[3] / transformer.PatchSize[1] * (latentShape[4] / transformer.PatchSize[2]);
            long tokens = f / transformer.PatchSize[0] * tokensPerFrame;
            sched.Reset();
            for (int step = 0; step < timesteps.Length; step++)
            {
                context.Cancel.ThrowIfCancellationRequested();
                float t = timesteps[step];
                var denoiser = experts.For(t);
                math.LinearCombination(new[] { 1.0 }, new[] { latents }, latentViews);
                for (int k = 0; k < frameTargets.Length; k++) math.Copy(frameSources[k % (int)c], frameTargets[k]);
                denoiser.Run(hidden, StepTimesteps(t, b, transformer.PerTokenTimesteps ? tokens : 0, firstFrame is null ? 0 : tokensPerFrame), text, null, output);
                DeviceTensor noise = noiseCond;
                if (cfg)
                {
                    // noise_uncond + g · (noise_cond − noise_uncond), g the guidance scale of the expert in use
                    double g = experts.IndexFor(t) == 0 ? batch.GuidanceScale : batch.GuidanceScale2;
                    math.LinearCombination(new[] { g, 1 - g }, new[] { noiseCond, noiseUncond! }, new[] { prediction! });
                    noise = prediction!;
                }
                sched.Step(noise, step, latents, workspace);
                context.StepEnd?.Invoke(step, new HostTensor(math.Download(latents), latentShape));
                context.Progress?.Report(new GenerationProgress(Name, step + 1, timesteps.Length));
            }
            var result = math.Download(latents);
            if (firstFrame is not null)
                for (long ch = 0; ch < c; ch++) firstFrame.Data.AsSpan((int)(ch * plane), (int)plane).CopyTo(result.AsSpan((int)(ch * grid)));
            batch.Latents = new HostTensor(result, latentShape);
        }
        finally
        {
            sched.Reset();
            foreach (var v in views) v.Dispose();
            foreach (var t in rented) pool.Return(t);
        }
    }

    /// <summary>
    /// The transformer's timesteps for one step: t per batch item, or per token (<paramref name="tokens"/> per item) with
    /// the first <paramref name="conditionedTokens"/> (latent frame 0 when it is the given image) at 0, as Diffusers'
    /// <c>first_frame_mask[:, ::2, ::2] * t</c>.
    /// </summary>
    public static float[] StepTimesteps(float t, int batch, long tokens, long conditionedTokens)
    {
        if (tokens == 0) return Enumerable.Repeat(t, batch).ToArray();
        var values = new float[batch * tokens];
        for (int i = 0; i < batch; i++) values.AsSpan((int)(i * tokens + conditionedTokens), (int)(tokens - conditionedTokens)).Fill(t);
        return values;
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
