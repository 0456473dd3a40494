using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>
/// Device tensors reused by shape and type: allocated once, rented for a request, returned, and released together when
/// the pool is disposed. Repeated requests of the same size allocate nothing.
/// </summary>
public sealed class TensorPool : IDisposable
{
    readonly Func<TensorElementType, long[], DeviceTensor> _allocate;
    readonly Dictionary<string, Stack<DeviceTensor>> _free = new(StringComparer.Ordinal);
    readonly List<DeviceTensor> _all = new();
    readonly object _lock = new();
    static long _leases;

    public TensorPool(Func<TensorElementType, long[], DeviceTensor> allocate) => _allocate = allocate;

    /// <summary>Bytes held by the pool (rented or free).</summary>
    public long Bytes
    {
        get
        {
            lock (_lock) return _all.Sum(t => t.ByteLength);
        }
    }

    public int Count
    {
        get
        {
            lock (_lock) return _all.Count;
        }
    }

    /// <summary>Tensors rented and not yet returned.</summary>
    internal int Rented
    {
        get
        {
            lock (_lock) return _all.Count - _free.Values.Sum(s => s.Count);
        }
    }

    static string Key(TensorElementType type, long[] shape) => type + ":" + string.Join("x", shape);

    public DeviceTensor Rent(TensorElementType type, params long[] shape)
    {
        lock (_lock)
        {
            DeviceTensor tensor;
            if (_free.TryGetValue(Key(type, shape), out var stack) && stack.Count > 0) tensor = stack.Pop();
            else
            {
                tensor = _allocate(type, (long[])shape.Clone());
                _all.Add(tensor);
            }
            tensor.Lease = Interlocked.Increment(ref _leases);
            return tensor;
        }
    }

    public void Return(DeviceTensor tensor)
    {
        if (tensor.IsView) throw new InvalidOperationException("views are not pooled: return the tensor they came from");
        lock (_lock)
        {
            string key = Key(tensor.ElementType, tensor.Shape);
            if (!_free.TryGetValue(key, out var stack)) _free[key] = stack = new Stack<DeviceTensor>();
            if (!stack.Contains(tensor)) stack.Push(tensor);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var t in _all) t.Dispose();
            _all.Clear();
            _free.Clear();
        }
    }
}
