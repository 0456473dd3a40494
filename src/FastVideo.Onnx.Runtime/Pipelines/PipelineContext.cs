using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Runtime.Pipelines;

/// <summary>What a pipeline is built from: the converted model folder, the device, and the sampling defaults.</summary>
public sealed record PipelineContext(string ModelFolder, ConvertedModel Model, ExecutionDevice Device, SamplingDefaults Defaults, Action<string>? Notice = null);
