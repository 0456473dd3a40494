using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Diagnostics;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Execution.MultiDevice;
using Microsoft.ML.OnnxRuntime.Tensors;
using NUnit.Framework;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>
/// Two GPUs of one host: the peer copy the remote denoiser uses, and NCCL communicators. Ignored unless two GPUs (and,
/// for NCCL, libnccl) are present.
/// </summary>
internal class MultiGpuTests
{
    static void RequireTwoGpus()
    {
        if (!GpuMemoryMonitor.Available(0) || !GpuMemoryMonitor.Available(1)) Assert.Ignore("needs two CUDA GPUs");
    }

    static ExecutionDevice Cuda(int id) => ExecutionDevice.Create(new RuntimeOptions { Device = ExecutionProvider.Cuda, DeviceId = id, SharedArena = false });

    [Test]
    public void PeerCopyMovesATensorBetweenGpus()
    {
        RequireTwoGpus();
        using var a = Cuda(0);
        using var b = Cuda(1);
        using var link = new DeviceLink(a, b);
        Assert.That(link.ThroughHost, Is.False, "the CUDA runtime library was found");
        var data = Enumerable.Range(0, 1 << 20).Select(i => i * 0.25f).ToArray();
        var source = a.Upload(data, new long[] { data.Length });
        var there = b.Pool.Rent(TensorElementType.Float, data.Length);
        var back = a.Pool.Rent(TensorElementType.Float, data.Length);
        link.Copy(source, a, there, b);
        Assert.That(b.Math.Download(there), Is.EqualTo(data));
        link.Copy(there, b, back, a);
        Assert.That(a.Math.Download(back), Is.EqualTo(data));
    }

    [Test]
    public void NcclCommunicatorsForTwoGpus()
    {
        RequireTwoGpus();
        NcclLibrary nccl;
        try
        {
            nccl = NcclLibrary.Load();
        }
        catch (FastVideoException e)
        {
            Assert.Ignore(e.Message);
            return;
        }
        Assert.That(nccl.Version, Is.GreaterThanOrEqualTo(20000), "NCCL 2");
        var comms = nccl.InitAll(new[] { 0, 1 });
        try
        {
            Assert.That(comms.Select(c => (c.Rank, c.Device)), Is.EqualTo(new[] { (0, 0), (1, 1) }));
        }
        finally
        {
            foreach (var c in comms) c.Dispose();
        }
        Assert.That(comms.All(c => c.IsClosed), Is.True);
    }
}
