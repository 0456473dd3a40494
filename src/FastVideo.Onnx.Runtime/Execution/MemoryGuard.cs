using System.Globalization;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime.Diagnostics;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>
/// Refuses a request whose estimated peak memory (<see cref="MemoryEstimate"/>) is above the limit, before anything is
/// loaded or allocated for it, with one line giving the estimate, the limit and what would fit. The limit is
/// <see cref="RuntimeOptions.MemoryLimitMiB"/>, else what the machine has: on the CPU this process's resident memory
/// plus the physical memory available now (and within the cgroup's limit when there is one); on a GPU the device's free
/// memory plus the weights when they are already loaded, when the CUDA runtime can tell (else no check).
/// </summary>
internal sealed class MemoryGuard
{
    readonly MemoryEstimate.ModelFacts _model;
    readonly RuntimeOptions _options;
    readonly bool _gpu;

    public MemoryGuard(string modelFolder, ConvertedModel model, RuntimeOptions options)
    {
        _model = MemoryEstimate.ModelFacts.Read(modelFolder, model);
        _options = options;
        _gpu = options.Device != ExecutionProvider.Cpu;
    }

    /// <summary>How the loaded pipeline spread its denoiser (set once it is loaded; one device until then).</summary>
    public MemoryPlacement Placement { get; set; } = MemoryPlacement.Single;

    public MemoryEstimate Estimate(RequestShape shape) => MemoryEstimate.For(_model, shape, _gpu, Placement);

    /// <summary>The limit in bytes and where it comes from, or null when it cannot be known.</summary>
    public (long Bytes, string Source)? Limit(bool weightsLoaded)
    {
        if (_options.MemoryLimitMiB is long mib) return (mib << 20, "Runtime:MemoryLimitMiB");
        if (_gpu)
        {
            long free = GpuMemoryMonitor.Free(_options.DeviceId);
            // The loaded weights count in the estimate and are no longer free: they are added back to what is free.
            long loaded = weightsLoaded ? MemoryEstimate.ResidentWeights(_model, Placement) : 0;
            return free < 0 ? null : (free + loaded, $"free memory of GPU {_options.DeviceId}");
        }
        long available = HostMemory.AvailableBytes();
        if (available < 0) return null;
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return (self.WorkingSet64 + available, "available memory");
    }

    /// <summary>Throws when <paramref name="shape"/> needs more than the limit.</summary>
    public void Check(RequestShape shape, bool weightsLoaded)
    {
        if (Limit(weightsLoaded) is not var (limit, source)) return;
        var estimate = Estimate(shape);
        if (estimate.PeakBytes <= limit) return;
        throw new InvalidRequestException("Height/Width/NumFrames", string.Create(CultureInfo.InvariantCulture,
            $"{shape} needs about {estimate.Describe()} by estimate, above the limit of {MemoryEstimate.MiB(limit)} ({source}; " +
            $"Runtime:MemoryLimitMiB sets it); {WhatFits(shape, limit)}"));
    }

    string WhatFits(RequestShape shape, long limit)
    {
        var parts = new List<string>();
        int temporal = _model.TemporalScale;
        int? frames = null;
        for (int n = shape.NumFrames; n >= 1; n -= temporal)
            if (Estimate(shape with { NumFrames = n }).PeakBytes <= limit)
            {
                frames = n;
                break;
            }
        parts.Add(frames is int fits ? $"at {shape.Width}x{shape.Height} at most {fits} frames fit" : $"no frame count fits at {shape.Width}x{shape.Height}");
        // The same frame count at the largest size of the same aspect ratio (sides multiples of the model's size multiple) that fits.
        int multiple = SizeMultiple;
        int larger = Math.Max(shape.Height, shape.Width);
        for (int side = larger - multiple; side >= multiple; side -= multiple)
        {
            int h = Round(shape.Height * (double)side / larger, multiple), w = Round(shape.Width * (double)side / larger, multiple);
            if (Estimate(shape with { Height = h, Width = w }).PeakBytes <= limit)
            {
                parts.Add($"{shape.NumFrames} frames fit at up to {w}x{h}");
                break;
            }
        }
        if (parts.Count == 1 && frames is null) parts.Add("nor does any smaller size");
        return string.Join(", or ", parts);
    }

    /// <summary>What height and width are multiples of: the VAE's spatial compression times the denoiser's spatial patch.</summary>
    int SizeMultiple => _model.SpatialScale * Math.Max(_model.Patch[1], _model.Patch[2]);

    static int Round(double side, int multiple) => Math.Max(multiple, (int)(side / multiple) * multiple);
}
