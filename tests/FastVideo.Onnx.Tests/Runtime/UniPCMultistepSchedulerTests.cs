using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>UniPC (flow sigmas, shift 3, bh2, order 2) from the tiny model's scheduler_config.json against Diffusers (float32).</summary>
public class UniPCMultistepSchedulerTests
{
    static IScheduler TinyScheduler(string model) => SchedulerFactory.Load(Path.Combine(model, "scheduler"));

    [TestCase(4, "scheduler_timesteps", "scheduler_sigmas")]
    [TestCase(50, "scheduler50_timesteps", "scheduler50_sigmas")]
    public void ScheduleMatchesDiffusers(int steps, string timestepsName, string sigmasName)
    {
        var scheduler = TinyScheduler(Repo.TinyT2V);
        Assert.That(scheduler, Is.InstanceOf<UniPCMultistepScheduler>());
        scheduler.SetTimesteps(steps);

        Assert.That(scheduler.TimestepDType, Is.EqualTo(DType.Int64));
        long[] timesteps = scheduler.Timesteps.Select(t => (long)t).ToArray();
        Assert.That(timesteps, Is.EqualTo(Reference.Int64(timestepsName)), timestepsName);
        Assert.That(scheduler.Timesteps.All(t => t == MathF.Round(t)), Is.True, "integer timesteps");
        TestContext.Out.WriteLine($"{timestepsName}: exact ({string.Join(", ", timesteps.Take(6))}{(steps > 6 ? ", ..." : "")})");

        Compare.Close(scheduler.Sigmas.ToArray(), [steps + 1], Reference.Get(sigmasName), 1e-6, sigmasName);
    }

    [Test]
    public void ImageToVideoModelHasTheSameSchedule()
    {
        var scheduler = TinyScheduler(Repo.TinyI2V);
        scheduler.SetTimesteps(4);
        Assert.That(scheduler.Timesteps.Select(t => (long)t), Is.EqualTo(Reference.Int64("scheduler_timesteps")));
    }

    static float[] SineModel(float[] x, int step)
    {
        var output = new float[x.Length];
        for (int i = 0; i < x.Length; i++) output[i] = (float)Math.Sin(x[i] * (step + 1)) * 0.5f;
        return output;
    }

    [Test]
    public void StepsMatchDiffusers()
    {
        var scheduler = TinyScheduler(Repo.TinyT2V);
        scheduler.SetTimesteps(4);
        var init = Reference.Get("latents_init");
        var x = (float[])init.Data.Clone();
        for (int i = 0; i < scheduler.NumInferenceSteps; i++)
        {
            Assert.That(scheduler.StepIndex, Is.EqualTo(i == 0 ? -1 : i));
            scheduler.Step(SineModel(x, i), i, x);
            Compare.Close(x, init.Shape, Reference.Get($"scheduler_step{i}_latents"), 1e-5, $"scheduler_step{i}_latents");
        }
    }

    [Test]
    public void ResetReplaysTheSameSteps()
    {
        var scheduler = TinyScheduler(Repo.TinyT2V);
        scheduler.SetTimesteps(4);
        var init = Reference.Get("latents_init");
        for (int round = 0; round < 2; round++)
        {
            var x = (float[])init.Data.Clone();
            for (int i = 0; i < scheduler.NumInferenceSteps; i++) scheduler.Step(SineModel(x, i), i, x);
            Compare.Close(x, init.Shape, Reference.Get("scheduler_step3_latents"), 1e-5, $"round {round}: scheduler_step3_latents");
            scheduler.Reset();
        }
    }

    [Test]
    public void StepsOutOfOrderAreRefused()
    {
        var scheduler = TinyScheduler(Repo.TinyT2V);
        scheduler.SetTimesteps(4);
        var x = (float[])Reference.Get("latents_init").Data.Clone();
        scheduler.Step(SineModel(x, 0), 0, x);
        var error = Assert.Throws<InvalidOperationException>(() => scheduler.Step(SineModel(x, 2), 2, x))!;
        Assert.That(error.Message, Does.Contain("step 1 is next"));
    }
}
