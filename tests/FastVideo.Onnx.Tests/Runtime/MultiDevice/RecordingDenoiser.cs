using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Tests.Runtime.MultiDevice;

/// <summary>
/// A denoiser for the placement tests: its prediction is hidden · 2 + the text's first value + the first timestep
/// (so a wrong half, stale text or misrouted timestep shows in the output), on host tensors of the device it was
/// opened on; it records each call and can fail on demand.
/// </summary>
internal sealed class RecordingDenoiser(ExecutionDevice device, Func<int, Exception?>? failOnCall = null) : IDenoiser
{
    readonly List<(long Batch, float[] Timesteps, int Thread)> _calls = new();
    readonly object _lock = new();

    public ExecutionDevice Device => device;
    public int InChannels => 2;
    public int OutChannels => 2;
    public bool UsesVsa => false;
    public bool Disposed { get; private set; }

    public IReadOnlyList<(long Batch, float[] Timesteps, int Thread)> Calls
    {
        get
        {
            lock (_lock) return _calls.ToArray();
        }
    }

    public void Run(DeviceTensor hidden, float[] timesteps, DeviceTensor text, DeviceTensor? image, DeviceTensor output, double vsaSparsity = 0)
    {
        int call;
        lock (_lock)
        {
            call = _calls.Count;
            _calls.Add((hidden.Shape[0], timesteps, Environment.CurrentManagedThreadId));
        }
        if (failOnCall?.Invoke(call) is { } error) throw error;
        // Host tensors of this denoiser's own device: a tensor of another device would be a placement bug, but on CPU
        // devices both are host arrays, so the spans are read directly.
        var x = hidden.HostSpan;
        var y = output.HostSpan;
        float bias = text.HostSpan[0] + timesteps[0];
        for (int i = 0; i < x.Length; i++) y[i] = x[i] * 2 + bias;
    }

    public void Dispose() => Disposed = true;
}
