using FastVideo.Onnx.Runtime.Diagnostics;
using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Runtime.Components.Wan;

/// <summary>
/// The denoiser(s) of a Wan model: one for Wan2.1 and TI2V-5B, two experts for Wan2.2 A14B (<c>transformer</c> for
/// the high-noise steps t ≥ boundary_ratio · 1000, <c>transformer_2</c> below), switched by <see cref="For"/>. Both are
/// opened by role (<see cref="IDenoiser"/>); what the loop needs of their layout (patch, timestep layout) is the
/// transformer's contract, which the converter checked both experts share.
/// <para>
/// Residency: on the CPU both experts stay loaded. On a GPU both stay resident when, with the first one loaded, the
/// device's free memory still holds the second's weights with a quarter to spare (for its activations); otherwise one
/// expert is resident at a time: when the loop crosses the boundary the active expert's session is released before the
/// other's is opened, so peak memory is one expert's (at the cost of opening a session per switch, twice a request).
/// <c>Runtime:KeepBothExperts</c> forces either policy; <see cref="BothResident"/> says which is in force. With
/// <c>Runtime:Parallelism</c> experts the second expert lives on a second device and both are always resident.
/// </para>
/// </summary>
internal sealed class WanExperts : IDisposable
{
    public const string SecondComponent = "transformer_2";

    public const string FirstComponent = "transformer";

    readonly Func<string, IDenoiser> _open;
    readonly IDenoiser?[] _runners = new IDenoiser?[2];

    /// <summary>The switch point in timesteps (boundary_ratio · num_train_timesteps), or null with one transformer.</summary>
    public double? BoundaryTimestep { get; }

    public int Count => BoundaryTimestep is null ? 1 : 2;

    /// <summary>Both experts stay loaded (by default on the CPU, and on a GPU when memory allows); false: one at a time.</summary>
    public bool BothResident { get; }

    /// <summary>Channels, from the first expert (the second must agree: checked when it opens).</summary>
    public int InChannels { get; }
    public int OutChannels { get; }
    public bool UsesVsa { get; }

    /// <param name="open">Opens a transformer component by name (<c>transformer</c> or <c>transformer_2</c>) as a denoiser.</param>
    /// <param name="boundaryTimestep">Null for one transformer.</param>
    /// <param name="separateDevices">The second expert opens on a device of its own (experts placement): both stay resident.</param>
    public WanExperts(Func<string, IDenoiser> open, double? boundaryTimestep, ExecutionDevice device, Action<string>? notice = null,
        long secondExpertBytes = 0, bool separateDevices = false)
    {
        ArgumentNullException.ThrowIfNull(device);
        _open = open;
        BoundaryTimestep = boundaryTimestep;
        var first = _runners[0] = open(FirstComponent);
        (InChannels, OutChannels, UsesVsa) = (first.InChannels, first.OutChannels, first.UsesVsa);
        if (Count == 1) return;
        BothResident = separateDevices || (device.Options.KeepBothExperts ?? (!device.IsGpu || FitsBeside(device.Options.DeviceId, secondExpertBytes)));
        if (!BothResident)
        {
            if (device.Options.KeepBothExperts is null)
                notice?.Invoke($"transformer_2: {secondExpertBytes / (1 << 20)} MiB does not fit beside transformer on the GPU; one expert is resident at a time (each switch reopens a session)");
            return;
        }
        try
        {
            _runners[1] = Check(open(SecondComponent));
        }
        catch
        {
            first.Dispose();
            throw;
        }
    }

    static bool FitsBeside(int deviceId, long bytes)
    {
        long free = GpuMemoryMonitor.Free(deviceId);
        return free < 0 || free >= bytes + bytes / 4;
    }

    IDenoiser Check(IDenoiser second)
    {
        if (second.InChannels != InChannels || second.OutChannels != OutChannels)
        {
            second.Dispose();
            throw new InvalidOperationException("transformer_2 differs from transformer in channels (checked at conversion)");
        }
        return second;
    }

    /// <summary>The expert index for timestep <paramref name="t"/>: 0 (transformer) for t ≥ boundary, 1 below.</summary>
    public int IndexFor(double t) => BoundaryTimestep is double boundary && t < boundary ? 1 : 0;

    /// <summary>The expert that denoises timestep <paramref name="t"/>, loading it first when one expert is resident at a time.</summary>
    public IDenoiser For(double t)
    {
        int i = IndexFor(t);
        if (_runners[i] is { } runner) return runner;
        int other = 1 - i;
        _runners[other]?.Dispose();
        _runners[other] = null;
        var opened = _open(i == 0 ? FirstComponent : SecondComponent);
        return _runners[i] = i == 0 ? opened : Check(opened);
    }

    public void Dispose()
    {
        for (int i = 0; i < _runners.Length; i++)
        {
            _runners[i]?.Dispose();
            _runners[i] = null;
        }
    }
}
