using System.Runtime.CompilerServices;
using FastVideo.Onnx.Runtime.Execution;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Runtime.Schedulers;

/// <summary>
/// Where a scheduler keeps and updates its tensors: the device arithmetic and the pool its history buffers come from.
/// On the CPU provider these are host arrays; on a GPU they stay in device memory for the whole loop. A workspace over a
/// device's arithmetic and pool borrows them; a <see cref="Host"/> workspace owns its own and releases them when disposed.
/// </summary>
public sealed record SchedulerWorkspace(IDeviceMath Math, TensorPool Pool) : IDisposable
{
    bool _owned;

    SchedulerWorkspace(IDeviceMath math, TensorPool pool, bool owned) : this(math, pool) => _owned = owned;

    public DeviceTensor Rent(long[] shape) => Pool.Rent(TensorElementType.Float, shape);

    /// <summary>A host workspace (CPU arithmetic, host arrays) that owns them.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "owned by the workspace, which disposes them")]
    public static SchedulerWorkspace Host() => new(new HostMath(), new TensorPool(DeviceTensor.AllocateHost), owned: true);

    public void Dispose()
    {
        if (!_owned) return;
        _owned = false;
        Pool.Dispose();
        Math.Dispose();
    }
}

/// <summary>Host-array conveniences over <see cref="IScheduler"/> (tests, CPU callers without a device).</summary>
public static class SchedulerHostExtensions
{
    static readonly ConditionalWeakTable<IScheduler, SchedulerWorkspace> Workspaces = new();

    /// <summary>Advances <paramref name="sample"/> in place with a host workspace kept per scheduler.</summary>
    public static void Step(this IScheduler scheduler, float[] modelOutput, int stepIndex, float[] sample)
    {
        var workspace = Workspaces.GetValue(scheduler, _ => SchedulerWorkspace.Host());
        using var output = DeviceTensor.FromHost(modelOutput, new long[] { modelOutput.Length });
        using var x = DeviceTensor.FromHost(sample, new long[] { sample.Length });
        scheduler.Step(output, stepIndex, x, workspace);
    }
}
