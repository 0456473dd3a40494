using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Pipelines;

namespace FastVideo.Onnx.Cli.Benchmarks;

/// <summary>
/// The component parts of one model family's benchmark (transformer forward, VAE decode, text encoder), each measured
/// through the family's runners with the recorder every family shares. The whole run is the same for every family
/// (<see cref="EndToEndBenchmark"/>).
/// </summary>
internal abstract class FamilyBenchmark(BenchmarkOptions options, SamplingDefaults sampling, BenchmarkRecorder recorder)
{
    protected BenchmarkOptions Options => options;

    /// <summary>The resolved settings: the matching preset's, with the command line's sizes, steps and text length.</summary>
    protected SamplingDefaults Sampling => sampling;
    protected BenchmarkRecorder Recorder => recorder;

    /// <summary>The latent layout of the configuration's VAE (the transformer part runs without the VAE converted).</summary>
    public abstract LatentLayout Latents { get; }

    /// <summary>The multiple height and width must be (the VAE's spatial compression times the transformer's patch).</summary>
    public abstract int SizeMultiple { get; }

    /// <summary>The forward at batch 1 and 2 (on <paramref name="profiled"/> when given, so the other parts stay unprofiled).</summary>
    public abstract void RunTransformer(string model, ExecutionDevice device, ExecutionDevice? profiled);

    public abstract void RunVae(string model, ExecutionDevice device);

    public abstract void RunText(string model, ExecutionDevice device);

    /// <summary>A component's config.json in the configuration folder (read before, and without, any conversion).</summary>
    protected Core.Json.JsonConfig ConfigOf(string component) => Core.Json.JsonConfig.Load(Path.Combine(Options.ConfigFolder, component, "config.json"));

    protected (long F, long H, long W) Grid => Latents.Grid(Sampling.NumFrames, Sampling.Height, Sampling.Width);

    protected string VideoSize => $"{Sampling.NumFrames}x{Sampling.Height}x{Sampling.Width}";

    /// <summary>A device without the kernel library, to measure the portable graphs beside the fused ones; null when not asked or when the fused graphs are not in use.</summary>
    protected ExecutionDevice? PortableDevice(ExecutionDevice device) =>
        device.KernelLibraryPath is null || !Options.WithPortable ? null : ExecutionDevice.Create(Options.Runtime with { KernelLibrary = "off" });

    protected const string Prompt = "A red fox runs through fresh snow at sunrise, cinematic lighting.";
}
