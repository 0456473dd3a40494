using FastVideo.Onnx.Core.Contracts;
using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Components.Wan;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Pipelines.Wan;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Runtime.Stages;
using FastVideo.Onnx.Runtime.Tensors;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>
/// The one denoising loop with stand-in denoisers (a constant prediction per batch entry), so the result follows from
/// the Euler update by hand: which denoiser and guidance scale each step uses, pinned first frames with per-token
/// timesteps, and the device buffers going back to the pool when a step throws.
/// </summary>
public class DenoisingStageTests
{
    const int C = 4, F = 3, H = 4, W = 4;
    static readonly long[] LatentShape = { 1, C, F, H, W };

    /// <summary>Predicts <see cref="Conditional"/> for batch entry 0 and <see cref="Unconditional"/> for entry 1; records each call.</summary>
    sealed class ConstantDenoiser(ExecutionDevice device, float conditional, float unconditional = 0, int failAtCall = -1) : IDenoiser
    {
        public float Conditional => conditional;
        public float Unconditional => unconditional;
        public List<float[]> Timesteps { get; } = new();
        public List<float[]> Inputs { get; } = new();
        public int InChannels => C;
        public int OutChannels => C;
        public bool UsesVsa => false;

        public void Run(DeviceTensor hidden, float[] timesteps, DeviceTensor text, DeviceTensor? image, DeviceTensor output, double vsaSparsity = 0)
        {
            if (Timesteps.Count == failAtCall) throw new InvalidOperationException("stand-in failure");
            Timesteps.Add(timesteps);
            Inputs.Add(device.Math.Download(hidden));
            var values = new float[output.ElementCount];
            long perEntry = values.Length / output.Shape[0];
            for (long i = 0; i < values.Length; i++) values[i] = i < perEntry ? conditional : unconditional;
            device.Math.Upload(values, output);
        }

        public void Dispose() { }
    }

    /// <summary>Two stand-in experts split at timestep 500, each with its own guidance scale.</summary>
    sealed class SplitAt500(ConstantDenoiser high, ConstantDenoiser low) : IStepDenoisers
    {
        public int InChannels => C;
        public int OutChannels => C;
        public bool UsesVsa => false;
        public (IDenoiser Denoiser, double GuidanceScale) For(float t, ForwardBatch batch) => t >= 500 ? (high, 4.0) : (low, 2.0);
    }

    static ForwardBatch Batch(double guidanceScale, int steps = 4)
    {
        var scheduler = new FlowMatchEulerDiscreteScheduler(shift: 1.0);
        scheduler.SetTimesteps(steps);
        var latents = new float[C * F * H * W];
        for (int i = 0; i < latents.Length; i++) latents[i] = MathF.Sin(i);
        return new ForwardBatch(new GenerationRequest())
        {
            GuidanceScale = guidanceScale,
            PromptEmbeds = new HostTensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 1, 2, 3 }),
            NegativePromptEmbeds = new HostTensor(new float[6], new long[] { 1, 2, 3 }),
            Latents = new HostTensor(latents, LatentShape),
            Timesteps = scheduler.Timesteps.ToArray(),
            Scheduler = scheduler,
        };
    }

    static StageContext Context => new(CancellationToken.None, null);

    [Test]
    public void EachStepUsesTheDenoiserAndGuidanceScaleItsTimestepSelects()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions());
        var (high, low) = (new ConstantDenoiser(device, 0.5f, -0.25f), new ConstantDenoiser(device, -1f, 0.75f));
        var batch = Batch(guidanceScale: 3);
        var x = (float[])batch.Latents!.Data.Clone();
        var sigmas = batch.Scheduler!.Sigmas;
        var timesteps = batch.Timesteps!;

        new DenoisingStage(new SplitAt500(high, low), device).Run(batch, Context);

        // x + Σ (σ_next − σ)·(u + g·(c − u)) with each step's expert and scale.
        var expected = new float[x.Length];
        double shift = 0;
        for (int k = 0; k < timesteps.Length; k++)
        {
            var (d, g) = timesteps[k] >= 500 ? (high, 4.0) : (low, 2.0);
            shift += (sigmas[k + 1] - sigmas[k]) * (d.Unconditional + g * (d.Conditional - d.Unconditional));
        }
        for (int i = 0; i < x.Length; i++) expected[i] = (float)(x[i] + shift);
        Assert.That(batch.Latents!.Data, Is.EqualTo(expected).Within(1e-5));
        Assert.That(high.Timesteps.Select(t => t[0]), Is.EqualTo(timesteps.Where(t => t >= 500)));
        Assert.That(low.Timesteps.Select(t => t[0]), Is.EqualTo(timesteps.Where(t => t < 500)));
        Assert.That(high.Timesteps.Concat(low.Timesteps).Select(t => t.Length), Is.All.EqualTo(2), "guided: one batch-2 call");
    }

    [Test]
    public void PinnedFirstFrameIsTheTransformersFrameZeroAndTheResultsWithItsTokensAtTimestepZero()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions());
        var denoiser = new ConstantDenoiser(device, 0.5f);
        var batch = Batch(guidanceScale: 1);
        long plane = H * W, grid = F * plane;
        var pinned = Enumerable.Range(0, C * (int)plane).Select(i => 10f + i).ToArray();
        batch.FirstFrameLatents = new HostTensor(pinned, new long[] { 1, C, 1, H, W });
        var x = (float[])batch.Latents!.Data.Clone();
        var contract = new WanTransformerContract(C, C, 3, null, new[] { 1, 2, 2 }, TimestepLayout.PerToken);

        new DenoisingStage(new SingleDenoiser(denoiser), device, new WanTokenTimesteps(contract)).Run(batch, Context);

        long tokens = F * (H / 2) * (W / 2), frameTokens = (H / 2) * (W / 2);
        for (int step = 0; step < batch.Timesteps!.Length; step++)
        {
            var input = denoiser.Inputs[step];
            for (int ch = 0; ch < C; ch++)
                Assert.That(input.AsSpan((int)(ch * grid), (int)plane).ToArray(), Is.EqualTo(pinned.AsSpan((int)(ch * plane), (int)plane).ToArray()), $"step {step}, channel {ch}: frame 0 pinned");
            var t = denoiser.Timesteps[step];
            Assert.That(t, Has.Length.EqualTo(tokens));
            Assert.That(t.Take((int)frameTokens), Is.All.EqualTo(0f), "the pinned frame's tokens are clean");
            Assert.That(t.Skip((int)frameTokens), Is.All.EqualTo(batch.Timesteps[step]));
        }
        var sigmas = batch.Scheduler!.Sigmas;
        double shift = (sigmas[^1] - sigmas[0]) * 0.5;
        var result = batch.Latents!.Data;
        for (int ch = 0; ch < C; ch++)
            for (long e = 0; e < grid; e++)
            {
                float expected = e < plane ? pinned[ch * plane + e] : (float)(x[ch * grid + e] + shift);
                Assert.That(result[ch * grid + e], Is.EqualTo(expected).Within(1e-5), $"channel {ch}, element {e}");
            }
    }

    [Test]
    public void PinnedFramesNeedPerTokenTimesteps()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions());
        var batch = Batch(guidanceScale: 1);
        batch.FirstFrameLatents = HostTensor.Zeros(1, C, 1, H, W);
        var error = Assert.Throws<InvalidOperationException>(() => new DenoisingStage(new ConstantDenoiser(device, 0), device).Run(batch, Context));
        Assert.That(error!.Message, Does.Contain("first-frame latents").And.Contain("per-token timesteps"));
    }

    [Test]
    public void PinnedFramesOfAnotherShapeAreRefused()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions());
        var batch = Batch(guidanceScale: 1);
        batch.FirstFrameLatents = HostTensor.Zeros(1, C, 1, H, W + 2);
        var contract = new WanTransformerContract(C, C, 3, null, new[] { 1, 2, 2 }, TimestepLayout.PerToken);
        var stage = new DenoisingStage(new SingleDenoiser(new ConstantDenoiser(device, 0)), device, new WanTokenTimesteps(contract));
        var error = Assert.Throws<InvalidOperationException>(() => stage.Run(batch, Context));
        Assert.That(error!.Message, Does.Contain("[1, 4, 1, 4, 6]").And.Contain("[1, 4, 3, 4, 4]"));
    }

    [Test]
    public void AFailingStepReturnsEveryBufferToThePool()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions());
        var failing = Batch(guidanceScale: 3);
        Assert.Throws<InvalidOperationException>(() => new DenoisingStage(new ConstantDenoiser(device, 1, 0, failAtCall: 2), device).Run(failing, Context));
        Assert.That(failing.Scheduler!.StepIndex, Is.EqualTo(-1), "the scheduler is reset");
        int allocated = device.Pool.Count;
        Assert.That(allocated, Is.GreaterThan(0));

        new DenoisingStage(new ConstantDenoiser(device, 1), device).Run(Batch(guidanceScale: 3), Context);
        Assert.That(device.Pool.Count, Is.EqualTo(allocated), "the second run reuses what the failed one returned");
    }

    [Test]
    public void WanExpertStepsGuideEachExpertWithItsScale()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions());
        var opened = new Dictionary<string, ConstantDenoiser>();
        using var experts = new WanExperts(component => opened[component] = new ConstantDenoiser(device, 0), 875, device);
        var steps = new WanExpertSteps(experts);
        var batch = new ForwardBatch(new GenerationRequest()) { GuidanceScale = 4, GuidanceScale2 = 3 };
        Assert.That(steps.For(999, batch), Is.EqualTo(((IDenoiser)opened[WanExperts.FirstComponent], 4.0)));
        Assert.That(steps.For(875, batch), Is.EqualTo(((IDenoiser)opened[WanExperts.FirstComponent], 4.0)));
        Assert.That(steps.For(874, batch), Is.EqualTo(((IDenoiser)opened[WanExperts.SecondComponent], 3.0)));
    }

    [Test]
    public void WanTokenTimestepsFollowTheContractsLayout()
    {
        long[] shape = { 1, 48, 3, 4, 6 };
        var perSample = new WanTokenTimesteps(new WanTransformerContract(48, 48, 8, null, new[] { 1, 2, 2 }));
        Assert.That(perSample.PerToken, Is.False);
        Assert.That(perSample.For(700, 2, shape, 0), Is.EqualTo(new[] { 700f, 700f }));

        var perToken = new WanTokenTimesteps(new WanTransformerContract(48, 48, 8, null, new[] { 1, 2, 2 }, TimestepLayout.PerToken));
        long tokens = 3 * 2 * 3, frame = 2 * 3;
        var values = perToken.For(700, 2, shape, 1);
        Assert.That(values, Has.Length.EqualTo(2 * tokens));
        for (int entry = 0; entry < 2; entry++)
        {
            var row = values.Skip(entry * (int)tokens).Take((int)tokens).ToArray();
            Assert.That(row.Take((int)frame), Is.All.EqualTo(0f), $"entry {entry}: the pinned frame");
            Assert.That(row.Skip((int)frame), Is.All.EqualTo(700f), $"entry {entry}: the rest");
        }
        var unpinned = perToken.For(700, 1, shape, 0);
        Assert.That(unpinned, Has.Length.EqualTo(tokens));
        Assert.That(unpinned, Is.All.EqualTo(700f));
    }
}
