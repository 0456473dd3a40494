using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Runtime.Execution.MultiDevice;

/// <summary>What a pipeline's second device runs (<see cref="RuntimeOptions.Parallelism"/>).</summary>
internal enum DeviceParallelism
{
    /// <summary>Experts for a two-expert model, else CFG (resolved by the family, which knows its model).</summary>
    Auto,
    /// <summary>Everything on the main device.</summary>
    None,
    /// <summary>The guided batch split: conditional pass on the main device, unconditional on the second.</summary>
    Cfg,
    /// <summary>The second expert (<c>transformer_2</c>) resident on the second device.</summary>
    Experts,
    /// <summary>
    /// Ulysses sequence parallelism: the transformer's per-rank graph as N rank sessions, each on 1/N of the latent
    /// frames (the family opens them; CPU provider, one device).
    /// </summary>
    Sequence,
}

internal static class DeviceParallelismNames
{
    static readonly string[] Names = { "auto", "none", "cfg", "experts", "sequence" };

    public static DeviceParallelism Parse(string? text)
    {
        int i = Array.FindIndex(Names, n => string.Equals(n, text?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (i < 0) throw new InvalidRequestException(RuntimeOptions.ParallelismField, $"'{text}' is not one of {string.Join(", ", Names)}");
        return (DeviceParallelism)i;
    }

    public static string Name(this DeviceParallelism mode) => Names[(int)mode];
}
