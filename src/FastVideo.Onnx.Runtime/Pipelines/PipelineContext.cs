using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Runtime.Pipelines;

/// <summary>What a pipeline is built from: the converted model folder, the device, the sampling defaults, and the component runners.</summary>
public sealed record PipelineContext(string ModelFolder, ConvertedModel Model, ExecutionDevice Device, SamplingDefaults Defaults, Action<string>? Notice = null)
{
    /// <summary>The runners components are opened with, by their class (this assembly's and those of <see cref="GeneratorOptions.PipelineAssemblies"/>).</summary>
    public ComponentRunnerRegistry Runners { get; init; } = ComponentRunnerRegistry.Default;

    /// <summary>
    /// The components the pipeline opened so far, in order: the pipeline disposes them, or the registry does when the
    /// pipeline's constructor fails after opening some.
    /// </summary>
    internal List<IDisposable> Opened { get; } = new();

    Execution.MultiDevice.DevicePlacement? _placement;

    /// <summary>The pipeline's devices (<see cref="Device"/> first) and what a second one runs; by default <see cref="Device"/> alone.</summary>
    internal Execution.MultiDevice.DevicePlacement Placement
    {
        get => _placement ??= Execution.MultiDevice.DevicePlacement.Single(Device);
        init => _placement = value;
    }
}
