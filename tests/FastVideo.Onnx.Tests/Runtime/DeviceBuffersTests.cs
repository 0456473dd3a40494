using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Tensors;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>A stage run's rented device tensors: stacked batches, and everything back in the pool on disposal.</summary>
public class DeviceBuffersTests
{
    [Test]
    public void StackConcatenatesAlongTheBatchDimensionInOrder()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions());
        using var buffers = new DeviceBuffers(device);
        var a = new HostTensor(new float[] { 1, 2, 3, 4 }, new long[] { 1, 2, 2 });
        var b = new HostTensor(new float[] { 5, 6, 7, 8 }, new long[] { 1, 2, 2 });
        var stacked = buffers.Stack(b, a);
        Assert.That(stacked.Shape, Is.EqualTo(new long[] { 2, 2, 2 }));
        Assert.That(device.Math.Download(stacked), Is.EqualTo(b.Data.Concat(a.Data)));
        Assert.That(device.Math.Download(buffers.Stack(a)), Is.EqualTo(a.Data));
    }

    [Test]
    public void StackRefusesEntriesOfDifferentShapes()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions());
        using var buffers = new DeviceBuffers(device);
        var error = Assert.Throws<ArgumentException>(() => buffers.Stack(HostTensor.Zeros(1, 2, 3), HostTensor.Zeros(1, 3, 3)));
        Assert.That(error!.Message, Does.Contain("[1, 2, 3]").And.Contain("[1, 3, 3]"));
    }

    [Test]
    public void DisposingReturnsEveryRentedTensor()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions());
        DeviceTensor first;
        using (var buffers = new DeviceBuffers(device))
        {
            first = buffers.Rent(2, 3);
            buffers.Rent(4);
            Assert.That(buffers.View(first, 3, new long[] { 3 }).IsView, Is.True);
        }
        Assert.That(device.Pool.Count, Is.EqualTo(2));
        using var again = new DeviceBuffers(device);
        Assert.That(again.Rent(2, 3), Is.SameAs(first), "returned to the pool, so rented again");
        again.Rent(4);
        Assert.That(device.Pool.Count, Is.EqualTo(2), "nothing allocated anew");
    }
}
