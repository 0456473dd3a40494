using System.Text.RegularExpressions;
using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Cli.Commands;

/// <summary>
/// The one table from the library's names (<c>GenerationRequest</c> properties, <c>Runtime:</c> settings, writer
/// arguments) to this tool's options: errors and notices name what the library calls a setting, and are printed with
/// the option that sets it.
/// </summary>
public static partial class OptionNames
{
    static readonly IReadOnlyDictionary<string, string> Options = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Prompt"] = "--prompt",
        ["NegativePrompt"] = "--negative-prompt",
        ["Image"] = "--image",
        ["Height"] = "--height",
        ["Width"] = "--width",
        ["NumFrames"] = "--num-frames",
        ["Steps"] = "--steps",
        ["GuidanceScale"] = "--guidance-scale",
        ["GuidanceScale2"] = "--guidance-scale-2",
        ["MaxSequenceLength"] = "--max-sequence-length",
        ["Seed"] = "--seed",
        ["Latents"] = "--latents",
        ["FlowShift"] = "--flow-shift",
        ["Fps"] = "--fps",
        ["DmdSteps"] = "--dmd-steps",
        ["VsaSparsity"] = "--vsa-sparsity",
        ["FrameRate"] = "--frame-rate",
        ["DecodeTimestep"] = "--decode-timestep",
        ["DecodeNoiseScale"] = "--decode-noise-scale",
        ["GuidanceRescale"] = "--guidance-rescale",
        ["Output"] = "--output",
        ["Preset"] = "--preset",
        ["Config"] = "--config",
        ["Runtime:Device"] = "--device",
        ["Runtime:DeviceId"] = "--device-id",
        ["Runtime:IntraOpThreads"] = "--threads",
        ["Runtime:KernelLibrary"] = "--kernels",
        ["Runtime:MemoryLimitMiB"] = "--memory-limit",
        ["Runtime:DeviceIds"] = "--devices",
        ["Runtime:Parallelism"] = "--parallel",
        // The converter's request (ConversionRequest).
        ["Components"] = "--components",
        ["ComponentPrecision"] = "--dtype",
        ["Precision"] = "--dtype",
        ["Force"] = "--force",
        ["SequenceParallel"] = "--sequence-parallel",
    };

    /// <summary>The option for a library name (<c>Height</c> -> <c>--height</c>; <c>Height/Width</c> -> <c>--height/--width</c>); other names as they are.</summary>
    public static string Option(string name) => string.Join("/", name.Split('/').Select(n => Options.GetValueOrDefault(n, n)));

    /// <summary>The one-line message of <paramref name="e"/>, its field named by the option that sets it.</summary>
    public static string Message(FastVideoException e)
    {
        string prefix = "", message = e.Message;
        if (e is InvalidRequestException invalid && message.StartsWith(invalid.Field + ": ", StringComparison.Ordinal))
        {
            prefix = Option(invalid.Field);
            message = message[invalid.Field.Length..];
        }
        // The converter's hints name its request's settings ("set Force to replace it"): here, the flags that set them.
        return prefix + ConversionHint().Replace(message, m => (m.Groups[1].Success ? "use " : "") + Options[m.Groups[2].Value]);
    }

    /// <summary>A notice with the library names it mentions (whole words of the table) replaced by their options.</summary>
    public static string Notice(string notice) => LibraryName().Replace(notice, m => Options.GetValueOrDefault(m.Value, m.Value));

    [GeneratedRegex(@"(?:(set) )?(?<![\w:-])\b(Force|Components|SequenceParallel)\b")]
    private static partial Regex ConversionHint();

    [GeneratedRegex(@"(?<![\w:-])(Runtime:\w+|NegativePrompt|NumFrames|GuidanceScale2|GuidanceScale|MaxSequenceLength|FlowShift|DmdSteps|VsaSparsity|FrameRate|DecodeTimestep|DecodeNoiseScale|GuidanceRescale|Seed|Steps|Latents|Fps)(?!\w)")]
    private static partial Regex LibraryName();
}
