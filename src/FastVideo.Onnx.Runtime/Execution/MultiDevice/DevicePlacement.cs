using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Components;

namespace FastVideo.Onnx.Runtime.Execution.MultiDevice;

/// <summary>
/// The devices of one pipeline (<see cref="RuntimeOptions.DeviceIds"/>) and what the second one runs
/// (<see cref="RuntimeOptions.Parallelism"/>). A family opens its denoisers through <see cref="OpenDenoiser"/>, which
/// places their sessions and wraps them (<see cref="CfgParallelDenoiser"/>, <see cref="RemoteDenoiser"/>) so the stages
/// keep calling one <see cref="IDenoiser"/> with tensors of the main device. Disposing it disposes the devices it created.
/// </summary>
internal sealed class DevicePlacement : IDisposable
{
    readonly bool _ownsDevices;
    readonly Action<string>? _notice;

    /// <summary>The pipeline's device: latents, encoders, VAE, the guidance and scheduler arithmetic.</summary>
    public ExecutionDevice Main { get; }

    /// <summary>The second device, or null with one.</summary>
    public ExecutionDevice? Second { get; }

    /// <summary>The mode asked for (<see cref="DeviceParallelism.None"/> with one device, unless <see cref="DeviceParallelism.Sequence"/>).</summary>
    public DeviceParallelism Requested { get; }

    /// <summary>Whether a session was placed on <see cref="Second"/>.</summary>
    public bool SecondUsed { get; private set; }

    /// <summary>A denoiser was opened CFG-parallel (its unconditional half on the second device).</summary>
    public bool CfgPlaced { get; private set; }

    /// <summary>A second expert was opened on the second device.</summary>
    public bool SecondExpertPlaced { get; private set; }

    /// <summary>The most sequence-parallel ranks a denoiser of the pipeline runs as (1: none).</summary>
    public int SequenceRanks { get; private set; } = 1;

    /// <summary>A family opened a denoiser as <paramref name="ranks"/> sequence-parallel rank sessions.</summary>
    public void NoteSequenceRanks(int ranks) => SequenceRanks = Math.Max(SequenceRanks, ranks);

    /// <summary>
    /// What the memory estimate of the first device (on the CPU provider: of the host, where every device's tensors
    /// live) counts of this placement.
    /// </summary>
    public Execution.MemoryPlacement ForMemory(bool gpu) => new(
        TransformerCopies: SequenceRanks + (!gpu && CfgPlaced ? 1 : 0),
        GuidanceSplit: gpu && CfgPlaced,
        SecondExpertElsewhere: gpu && SecondExpertPlaced);

    public IEnumerable<ExecutionDevice> Devices => Second is null ? new[] { Main } : new[] { Main, Second };

    DevicePlacement(ExecutionDevice main, ExecutionDevice? second, DeviceParallelism requested, bool ownsDevices, Action<string>? notice)
    {
        Main = main;
        Second = second;
        // sequence parallelism runs its ranks as sessions of the main device: it needs no second one
        Requested = second is null && requested != DeviceParallelism.Sequence ? DeviceParallelism.None : requested;
        _ownsDevices = ownsDevices;
        _notice = notice;
    }

    /// <summary>One device the caller owns (a pipeline built around a device of its own).</summary>
    public static DevicePlacement Single(ExecutionDevice device) => new(device, null, DeviceParallelism.None, ownsDevices: false, null);

    /// <summary>Creates the devices of <paramref name="options"/> (validated first); a failure disposes what was created.</summary>
    public static DevicePlacement Create(RuntimeOptions options, Action<string>? notice = null)
    {
        options.Validate();
        var ids = options.DeviceIdList();
        var requested = DeviceParallelismNames.Parse(options.Parallelism);
        // Each device's own options name it alone (the list and the mode are this placement's).
        var main = ExecutionDevice.Create(options with { DeviceId = ids[0], DeviceIds = null, Parallelism = "none" }, notice);
        if (ids.Count == 1) return new DevicePlacement(main, null, requested, ownsDevices: true, notice);
        try
        {
            // The same provider as the main device (the CPU when a GPU provider fell back to it).
            var second = ExecutionDevice.Create(options with { DeviceId = ids[1], DeviceIds = null, Parallelism = "none", Device = main.Provider }, notice);
            return new DevicePlacement(main, second, requested, ownsDevices: true, notice);
        }
        catch
        {
            main.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The placement for a model (<paramref name="twoExperts"/>: it has a second expert): auto becomes experts for a
    /// two-expert model, else cfg; experts for a model with one transformer is an error naming the setting.
    /// <paramref name="guided"/> (the model's default guidance is above 1) only shapes the notice: cfg splits guided requests.
    /// </summary>
    public DeviceParallelism Resolve(bool twoExperts, bool guided)
    {
        var mode = Requested == DeviceParallelism.Auto ? (twoExperts ? DeviceParallelism.Experts : DeviceParallelism.Cfg) : Requested;
        if (mode == DeviceParallelism.Experts && !twoExperts)
            throw new InvalidRequestException(RuntimeOptions.ParallelismField, "experts places transformer_2 on the second device, but this model has one transformer; use cfg or none");
        if (Second is not null)
        {
            string ids = $"{Main.Options.DeviceId} and {Second.Options.DeviceId}";
            _notice?.Invoke(mode switch
            {
                DeviceParallelism.Cfg => $"Runtime:Parallelism cfg: the conditional pass runs on device {Main.Options.DeviceId}, the unconditional on device {Second.Options.DeviceId}" +
                                         (guided ? "" : " (requests without guidance run on the first device alone; this model's default has none)"),
                DeviceParallelism.Experts => $"Runtime:Parallelism experts: transformer on device {Main.Options.DeviceId}, transformer_2 on device {Second.Options.DeviceId}",
                DeviceParallelism.Sequence => $"Runtime:Parallelism sequence: the ranks run on device {Main.Options.DeviceId}; device {Second.Options.DeviceId} is unused",
                _ => $"Runtime:Parallelism none: devices {ids} given, the second is unused",
            });
        }
        return mode;
    }

    /// <summary>
    /// Opens a denoiser as <paramref name="mode"/> places it: <paramref name="open"/> opens the component on a device
    /// (with the batch it will be called with: 1 per device under cfg). <paramref name="secondExpert"/>: the component is
    /// a two-expert model's second expert (placed on the second device under experts).
    /// </summary>
    public IDenoiser OpenDenoiser(DeviceParallelism mode, Func<ExecutionDevice, IDenoiser> open, bool secondExpert = false)
    {
        switch (mode)
        {
            case DeviceParallelism.Cfg:
            {
                var main = open(Main);
                try
                {
                    var split = new CfgParallelDenoiser(main, Remote(open));
                    CfgPlaced = true;
                    return split;
                }
                catch
                {
                    main.Dispose();
                    throw;
                }
            }
            case DeviceParallelism.Experts when secondExpert:
            {
                var remote = Remote(open);
                SecondExpertPlaced = true;
                return remote;
            }
            default:
                return open(Main);
        }
    }

    IDenoiser Remote(Func<ExecutionDevice, IDenoiser> open)
    {
        var second = Second ?? throw new InvalidOperationException("no second device");
        var inner = open(second);
        SecondUsed = true;
        try
        {
            return new RemoteDenoiser(inner, Main, second);
        }
        catch
        {
            inner.Dispose();
            throw;
        }
    }

    /// <summary>Stops the running calls on every device (cancellation, dispose).</summary>
    public void Terminate()
    {
        foreach (var d in Devices) d.Runs.Terminate();
    }

    public void Resume()
    {
        foreach (var d in Devices) d.Runs.Resume();
    }

    public void Dispose()
    {
        if (!_ownsDevices) return;
        Second?.Dispose();
        Main.Dispose();
    }
}
