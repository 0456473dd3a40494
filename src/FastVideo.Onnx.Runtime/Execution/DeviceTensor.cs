using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>
/// A tensor in the execution device's memory (host memory for the CPU provider, GPU memory for CUDA), wrapped as an
/// <see cref="OrtValue"/> that can be bound to sessions. Views share the memory of the tensor they come from (a batch
/// entry, a channel range), so a step can write straight into the transformer's input buffer.
/// </summary>
public sealed class DeviceTensor : IDisposable
{
    readonly Array? _host;
    readonly long _hostOffset;
    readonly IntPtr _device;
    readonly OrtMemoryInfo? _memory;
    readonly IDisposable? _owned;
    readonly DeviceTensor? _root;

    public OrtValue Value { get; }
    public long[] Shape { get; }
    public TensorElementType ElementType { get; }
    public bool IsHost => _host is not null;
    public bool IsView { get; }
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public long ByteLength => ElementCount * ElementSize(ElementType);

    /// <summary>The tensor a view was made from (a tensor that is not a view: itself).</summary>
    internal DeviceTensor Root => _root ?? this;

    /// <summary>Where a view starts in <see cref="Root"/>, in elements.</summary>
    internal long RootOffset { get; }

    /// <summary>
    /// Which rent of a pooled tensor this is (set by <see cref="TensorPool.Rent"/>, unique per process; 0 for a tensor
    /// that never came from a pool): a tensor rented again holds new contents.
    /// </summary>
    internal long Lease { get; set; }

    /// <summary>The address of the first element in device memory (zero for host tensors).</summary>
    internal IntPtr DevicePointer => _device;

    DeviceTensor(OrtValue value, long[] shape, TensorElementType type, Array? host, long hostOffset, IntPtr device, OrtMemoryInfo? memory,
        IDisposable? owned, bool isView, DeviceTensor? root = null, long rootOffset = 0)
    {
        _root = root;
        RootOffset = rootOffset;
        Value = value;
        Shape = shape;
        ElementType = type;
        _host = host;
        _hostOffset = hostOffset;
        _device = device;
        _memory = memory;
        _owned = owned;
        IsView = isView;
    }

    public static int ElementSize(TensorElementType t) => t switch
    {
        TensorElementType.Float or TensorElementType.Int32 => 4,
        TensorElementType.Int64 or TensorElementType.Double => 8,
        TensorElementType.Float16 or TensorElementType.BFloat16 => 2,
        _ => 1,
    };

    /// <summary>A host tensor over a new array (float32 or int64).</summary>
    public static DeviceTensor AllocateHost(TensorElementType type, long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        return type switch
        {
            TensorElementType.Float => FromHost(new float[n], shape),
            TensorElementType.Int64 => FromHost(new long[n], shape),
            _ => throw new NotSupportedException($"host tensors of {type}"),
        };
    }

    public static DeviceTensor FromHost(float[] data, long[] shape) =>
        new(OrtValue.CreateTensorValueFromMemory(data, shape), shape, TensorElementType.Float, data, 0, IntPtr.Zero, null, null, false);

    public static DeviceTensor FromHost(long[] data, long[] shape) =>
        new(OrtValue.CreateTensorValueFromMemory(data, shape), shape, TensorElementType.Int64, data, 0, IntPtr.Zero, null, null, false);

    /// <summary>A tensor over device memory allocated by <paramref name="allocation"/> (which this tensor then owns).</summary>
    public static DeviceTensor FromDevice(OrtMemoryAllocation allocation, OrtMemoryInfo memory, TensorElementType type, long[] shape)
    {
        long bytes = shape.Aggregate(1L, (a, b) => a * b) * ElementSize(type);
        var value = OrtValue.CreateTensorValueWithData(memory, type, shape, allocation.DangerousGetHandle(), bytes);
        return new DeviceTensor(value, shape, type, null, 0, allocation.DangerousGetHandle(), memory, allocation, false);
    }

    /// <summary>A tensor in new memory from <paramref name="allocator"/> (which must outlive it), in <paramref name="memory"/>.</summary>
    public static DeviceTensor Allocate(OrtAllocator allocator, OrtMemoryInfo memory, TensorElementType type, long[] shape)
    {
        long bytes = shape.Aggregate(1L, (a, b) => a * b) * ElementSize(type);
        // ONNX Runtime's C# allocator takes a 32-bit size.
        if (bytes > uint.MaxValue) throw new NotSupportedException($"a single device tensor of {bytes} bytes is larger than 4 GiB");
        return FromDevice(allocator.Allocate((uint)Math.Max(bytes, 1)), memory, type, shape);
    }

    /// <summary>The host data (CPU provider only).</summary>
    public Span<float> HostSpan =>
        _host is float[] f ? f.AsSpan((int)_hostOffset, (int)ElementCount) : throw new InvalidOperationException("not a float32 host tensor");

    public Span<long> HostInt64Span =>
        _host is long[] l ? l.AsSpan((int)_hostOffset, (int)ElementCount) : throw new InvalidOperationException("not an int64 host tensor");

    /// <summary>A view of <paramref name="shape"/> starting <paramref name="elementOffset"/> elements in; no copy.</summary>
    public DeviceTensor View(long elementOffset, long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        if (elementOffset < 0 || elementOffset + n > ElementCount) throw new ArgumentOutOfRangeException(nameof(elementOffset));
        if (_host is float[] f)
        {
            var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(f, (int)(_hostOffset + elementOffset), (int)n), shape);
            return new DeviceTensor(value, shape, ElementType, f, _hostOffset + elementOffset, IntPtr.Zero, null, null, true, Root, RootOffset + elementOffset);
        }
        if (_host is long[] l)
        {
            var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<long>(l, (int)(_hostOffset + elementOffset), (int)n), shape);
            return new DeviceTensor(value, shape, ElementType, l, _hostOffset + elementOffset, IntPtr.Zero, null, null, true, Root, RootOffset + elementOffset);
        }
        var ptr = _device + (nint)(elementOffset * ElementSize(ElementType));
        var deviceValue = OrtValue.CreateTensorValueWithData(_memory!, ElementType, shape, ptr, n * ElementSize(ElementType));
        return new DeviceTensor(deviceValue, shape, ElementType, null, 0, ptr, _memory, null, true, Root, RootOffset + elementOffset);
    }

    /// <summary>Entry <paramref name="index"/> of the first axis, keeping a leading axis of 1.</summary>
    public DeviceTensor Batch(long index)
    {
        long per = ElementCount / Shape[0];
        return View(index * per, Shape.Skip(1).Prepend(1L).ToArray());
    }

    public override string ToString() => $"{ElementType}[{string.Join(", ", Shape)}]{(IsHost ? "" : " (device)")}";

    public void Dispose()
    {
        Value.Dispose();
        _owned?.Dispose();
    }
}
