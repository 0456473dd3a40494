using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>
/// <see cref="IDeviceMath"/> on a GPU provider: small utility sessions (see <see cref="UtilityGraphs"/>) run the weighted
/// sums and the host/device copies, with their inputs and outputs bound to device memory. Device memory comes from
/// ONNX Runtime's allocator for the provider.
/// </summary>
internal sealed class CudaMath : IDeviceMath
{
    readonly ExecutionDevice _device;
    readonly Dictionary<(int, int), GraphSession> _combinations = new();
    readonly GraphSession _copy;
    readonly OrtAllocator _allocator;
    GraphSession? _release;

    public CudaMath(ExecutionDevice device)
    {
        _device = device;
        using (var options = device.SessionOptions()) _copy = GraphSession.Open(UtilityGraphs.Copy(), options, "device copy");
        _allocator = new OrtAllocator(_copy.Session, device.Memory);
    }

    public DeviceTensor Allocate(TensorElementType type, long[] shape) => DeviceTensor.Allocate(_allocator, _device.Memory, type, shape);

    static DeviceTensor Flat(DeviceTensor t) => t.View(0, new[] { t.ElementCount });

    public void LinearCombination(ReadOnlySpan<double> coefficients, IReadOnlyList<DeviceTensor> inputs, IReadOnlyList<DeviceTensor> outputs)
    {
        var key = (inputs.Count, outputs.Count);
        if (!_combinations.TryGetValue(key, out var session))
        {
            using var options = _device.SessionOptions();
            _combinations[key] = session = GraphSession.Open(UtilityGraphs.LinearCombination(inputs.Count, outputs.Count), options, "device arithmetic");
        }
        var views = new List<DeviceTensor>();
        var scalars = new List<OrtValue>();
        try
        {
            var bound = new List<(string, OrtValue)>();
            for (int i = 0; i < inputs.Count; i++)
            {
                var x = Flat(inputs[i]);
                views.Add(x);
                var c = OrtValue.CreateTensorValueFromMemory(new[] { (float)coefficients[i] }, Array.Empty<long>());
                scalars.Add(c);
                bound.Add(($"x{i}", x.Value));
                bound.Add(($"c{i}", c));
            }
            var outs = new List<(string, OrtValue)>();
            for (int j = 0; j < outputs.Count; j++)
            {
                var y = Flat(outputs[j]);
                views.Add(y);
                outs.Add(($"y{j}", y.Value));
            }
            session.Run(bound, outs);
        }
        finally
        {
            foreach (var v in views) v.Dispose();
            foreach (var s in scalars) s.Dispose();
        }
    }

    public void Upload(ReadOnlySpan<float> source, DeviceTensor destination)
    {
        var host = source.ToArray();
        using var x = OrtValue.CreateTensorValueFromMemory(host, new[] { (long)host.Length });
        using var y = Flat(destination);
        _copy.Run(new[] { ("x", x) }, new[] { ("y", y.Value) });
    }

    public void Download(DeviceTensor source, Span<float> destination)
    {
        var host = new float[source.ElementCount];
        using (var x = Flat(source))
        using (var y = OrtValue.CreateTensorValueFromMemory(host, new[] { (long)host.Length }))
            _copy.Run(new[] { ("x", x.Value) }, new[] { ("y", y) });
        host.CopyTo(destination);
    }

    /// <summary>
    /// A run of a one-value copy with ONNX Runtime's arena shrinkage on: the device's arena (with
    /// <see cref="RuntimeOptions.SharedArena"/>, the one arena every session uses) frees its unused regions.
    /// </summary>
    public void ReleaseCachedMemory()
    {
        if (_release is null)
        {
            using var options = _device.SessionOptions(sharedArena: true);
            _release = GraphSession.Open(UtilityGraphs.Copy(), options, "memory release");
            _device.ShrinkArenaAfterEachRun(_release);
        }
        using var x = OrtValue.CreateTensorValueFromMemory(new float[1], new[] { 1L });
        using var y = OrtValue.CreateTensorValueFromMemory(new float[1], new[] { 1L });
        _release.Run(new[] { ("x", x) }, new[] { ("y", y) });
    }

    public void Dispose()
    {
        _release?.Dispose();
        foreach (var s in _combinations.Values) s.Dispose();
        _copy.Dispose();
        _allocator.Dispose();
    }
}
