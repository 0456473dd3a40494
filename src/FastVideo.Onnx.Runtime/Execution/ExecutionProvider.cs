using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>The ONNX Runtime execution providers the runtime can run on.</summary>
public enum ExecutionProvider
{
    Cpu,
    Cuda,
    TensorRT,
}

public static class ExecutionProviderNames
{
    public static ExecutionProvider Parse(string text, string field = ExecutionDevice.DeviceField) => text.Trim().ToLowerInvariant() switch
    {
        "cpu" => ExecutionProvider.Cpu,
        "cuda" or "gpu" => ExecutionProvider.Cuda,
        "tensorrt" or "trt" => ExecutionProvider.TensorRT,
        _ => throw new InvalidRequestException(field, $"unknown device '{text}' (use cpu, cuda or tensorrt)"),
    };

    public static string Name(this ExecutionProvider p) => p switch
    {
        ExecutionProvider.Cpu => "cpu",
        ExecutionProvider.Cuda => "cuda",
        ExecutionProvider.TensorRT => "tensorrt",
        _ => p.ToString(),
    };
}
