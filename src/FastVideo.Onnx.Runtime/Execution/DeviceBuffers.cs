using FastVideo.Onnx.Runtime.Tensors;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>
/// The device tensors one stage run rents from the device's pool, and the views it takes of them: disposing it
/// releases the views and returns every rented tensor to the pool, so a loop that throws or is cancelled at any point
/// (a rental included) leaves the pool as it found it.
/// </summary>
internal sealed class DeviceBuffers(ExecutionDevice device) : IDisposable
{
    readonly List<DeviceTensor> _rented = new();
    readonly List<DeviceTensor> _views = new();

    public IDeviceMath Math => device.Math;

    /// <summary>A float32 tensor of <paramref name="shape"/> from the pool (its contents are whatever was left in it).</summary>
    public DeviceTensor Rent(params long[] shape)
    {
        var t = device.Pool.Rent(TensorElementType.Float, shape);
        _rented.Add(t);
        return t;
    }

    /// <summary>A view of <paramref name="tensor"/> from element <paramref name="offset"/> with <paramref name="shape"/>.</summary>
    public DeviceTensor View(DeviceTensor tensor, long offset, long[] shape)
    {
        var v = tensor.View(offset, shape);
        _views.Add(v);
        return v;
    }

    /// <summary>
    /// The batch of <paramref name="entries"/> on the device: concatenated along dimension 0 in order (each [n, ...],
    /// all of one shape past dimension 0), as a guided call's conditional and unconditional inputs are stacked.
    /// </summary>
    public DeviceTensor Stack(params HostTensor[] entries)
    {
        if (entries.Length == 0) throw new ArgumentException("nothing to stack", nameof(entries));
        var first = entries[0];
        if (entries.Any(e => !e.Shape.AsSpan(1).SequenceEqual(first.Shape.AsSpan(1))))
            throw new ArgumentException($"entries of shapes {string.Join(", ", entries.Select(e => e.ShapeText))} differ past dimension 0", nameof(entries));
        var shape = (long[])first.Shape.Clone();
        shape[0] = entries.Sum(e => e.Shape[0]);
        var stacked = Rent(shape);
        Math.Upload(entries.Length == 1 ? first.Data : Concat(entries), stacked);
        return stacked;
    }

    static float[] Concat(HostTensor[] entries)
    {
        var all = new float[entries.Sum(e => (long)e.Data.Length)];
        long at = 0;
        foreach (var e in entries)
        {
            e.Data.CopyTo(all, at);
            at += e.Data.Length;
        }
        return all;
    }

    public void Dispose()
    {
        foreach (var v in _views) v.Dispose();
        foreach (var t in _rented) device.Pool.Return(t);
        _views.Clear();
        _rented.Clear();
    }
}
