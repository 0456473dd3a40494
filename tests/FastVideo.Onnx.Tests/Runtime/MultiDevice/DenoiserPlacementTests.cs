using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Execution.MultiDevice;
using Microsoft.ML.OnnxRuntime.Tensors;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime.MultiDevice;

/// <summary>
/// The cross-device pieces on two CPU devices (each its own tensor pool): the copy, the remote denoiser (inputs there,
/// prediction back, embeddings copied once per rent) and the CFG split (halves on two threads, per-token timesteps).
/// </summary>
public class DenoiserPlacementTests
{
    ExecutionDevice _a = null!;
    ExecutionDevice _b = null!;

    [SetUp]
    public void CreateDevices()
    {
        _a = ExecutionDevice.Create(new RuntimeOptions());
        _b = ExecutionDevice.Create(new RuntimeOptions { DeviceId = 1 });
    }

    [TearDown]
    public void DisposeDevices()
    {
        _a.Dispose();
        _b.Dispose();
    }

    static float[] Ramp(long n, float start = 0) => Enumerable.Range(0, (int)n).Select(i => start + i * 0.5f).ToArray();

    DeviceTensor Upload(ExecutionDevice device, float[] data, params long[] shape)
    {
        var t = device.Pool.Rent(TensorElementType.Float, shape);
        device.Math.Upload(data, t);
        return t;
    }

    [Test]
    public void LinkCopiesBetweenCpuDevicesAndChecksSizes()
    {
        using var link = new DeviceLink(_a, _b);
        var source = Upload(_a, Ramp(6), 2, 3);
        var target = _b.Pool.Rent(TensorElementType.Float, 2, 3);
        link.Copy(source, _a, target, _b);
        Assert.That(target.HostSpan.ToArray(), Is.EqualTo(Ramp(6)));
        var ints = DeviceTensor.FromHost(new long[] { 7, -3 }, new long[] { 2 });
        using var intTarget = DeviceTensor.FromHost(new long[2], new long[] { 2 });
        link.Copy(ints, _a, intTarget, _b);
        Assert.That(intTarget.HostInt64Span.ToArray(), Is.EqualTo(new long[] { 7, -3 }));
        ints.Dispose();
        var wrong = _b.Pool.Rent(TensorElementType.Float, 5);
        Assert.That(() => link.Copy(source, _a, wrong, _b), Throws.ArgumentException.With.Message.Contains("one type and size"));
    }

    [Test]
    public void RemoteDenoiserRunsOnItsDeviceAndCopiesEmbeddingsOncePerRent()
    {
        var inner = new RecordingDenoiser(_b);
        var remote = new RemoteDenoiser(inner, _a, _b);
        var hidden = Upload(_a, Ramp(8), 1, 2, 1, 2, 2);
        var output = _a.Pool.Rent(TensorElementType.Float, 1, 2, 1, 2, 2);
        var text = Upload(_a, new[] { 10f, 0, 0 }, 1, 1, 3);
        remote.Run(hidden, new[] { 1f }, text, null, output);
        Assert.That(output.HostSpan.ToArray(), Is.EqualTo(Ramp(8).Select(v => v * 2 + 11).ToArray()));
        Assert.That(_b.Pool.Rented, Is.GreaterThan(0), "buffers of the remote device hold the call's tensors");

        // Same rent of the text: not copied again, even though its contents changed behind the stage's back (the
        // contract: embeddings are written once per rent).
        text.HostSpan[0] = 99;
        remote.Run(hidden, new[] { 1f }, text, null, output);
        Assert.That(remote.EmbeddingCopies, Is.EqualTo(1));
        Assert.That(output.HostSpan[0], Is.EqualTo(11f));

        // Returned and rented again (the next request): copied.
        _a.Pool.Return(text);
        var next = _a.Pool.Rent(TensorElementType.Float, 1, 1, 3);
        Assert.That(next, Is.SameAs(text), "the pool hands back the same buffer");
        _a.Math.Upload(new[] { 20f, 0, 0 }, next);
        remote.Run(hidden, new[] { 1f }, next, null, output);
        Assert.That(remote.EmbeddingCopies, Is.EqualTo(2));
        Assert.That(output.HostSpan[0], Is.EqualTo(21f));

        remote.Dispose();
        Assert.That(inner.Disposed, Is.True);
        Assert.That(_b.Pool.Rented, Is.EqualTo(0), "the remote buffers went back to their pool");
    }

    [Test]
    public void CfgSplitRunsEachHalfOnItsDeviceConcurrently()
    {
        var main = new RecordingDenoiser(_a);
        var second = new RecordingDenoiser(_b);
        using var cfg = new CfgParallelDenoiser(main, new RemoteDenoiser(second, _a, _b));
        // Per-token timesteps: 2 items x 4 tokens, batch-major; the text differs per item.
        var hidden = Upload(_a, Ramp(16), 2, 2, 1, 2, 2);
        var output = _a.Pool.Rent(TensorElementType.Float, 2, 2, 1, 2, 2);
        var text = Upload(_a, new[] { 1f, 0, 0, 2, 0, 0 }, 2, 1, 3);
        float[] timesteps = { 5, 5, 5, 5, 7, 7, 7, 7 };
        cfg.Run(hidden, timesteps, text, null, output);

        var x = Ramp(16);
        var expected = x.Select((v, i) => v * 2 + (i < 8 ? 1 + 5 : 2 + 7)).ToArray();
        Assert.That(output.HostSpan.ToArray(), Is.EqualTo(expected));
        Assert.That(main.Calls.Single().Timesteps, Is.EqualTo(new float[] { 5, 5, 5, 5 }));
        Assert.That(second.Calls.Single().Timesteps, Is.EqualTo(new float[] { 7, 7, 7, 7 }));
        Assert.That(main.Calls.Single().Batch, Is.EqualTo(1));
        Assert.That(second.Calls.Single().Thread, Is.Not.EqualTo(main.Calls.Single().Thread), "the second half runs on a thread of its own");
        Assert.That(cfg.SplitCalls, Is.EqualTo(1));

        // Batch 1 (no guidance): the main device alone.
        var one = Upload(_a, Ramp(8), 1, 2, 1, 2, 2);
        var oneOut = _a.Pool.Rent(TensorElementType.Float, 1, 2, 1, 2, 2);
        var oneText = Upload(_a, new[] { 1f, 0, 0 }, 1, 1, 3);
        cfg.Run(one, new[] { 3f }, oneText, null, oneOut);
        Assert.That(main.Calls, Has.Count.EqualTo(2));
        Assert.That(second.Calls, Has.Count.EqualTo(1));
    }

    [Test]
    public void CfgSplitWaitsForBothHalvesAndReportsTheFailure()
    {
        var main = new RecordingDenoiser(_a);
        var second = new RecordingDenoiser(_b, call => new InvalidOperationException("second half failed"));
        var cfg = new CfgParallelDenoiser(main, new RemoteDenoiser(second, _a, _b));
        var hidden = Upload(_a, Ramp(16), 2, 2, 1, 2, 2);
        var output = _a.Pool.Rent(TensorElementType.Float, 2, 2, 1, 2, 2);
        var text = Upload(_a, new[] { 1f, 0, 0, 2, 0, 0 }, 2, 1, 3);
        Assert.That(() => cfg.Run(hidden, new float[] { 1, 1 }, text, null, output),
            Throws.InvalidOperationException.With.Message.EqualTo("second half failed"));
        Assert.That(main.Calls, Has.Count.EqualTo(1), "the main half ran to its end");
        cfg.Dispose();
        Assert.That((main.Disposed, second.Disposed), Is.EqualTo((true, true)));
        Assert.That(_b.Pool.Rented, Is.EqualTo(0));
    }
}
