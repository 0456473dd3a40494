using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>The ONNX Runtime execution providers the runtime can run on.</summary>
public enum ExecutionProvider
{
    /// <summary>ONNX Runtime's CPU provider (needs <c>--dtype fp32</c> models).</summary>
    Cpu,
    /// <summary>The CUDA provider (<c>Microsoft.ML.OnnxRuntime.Gpu.Linux</c>, CUDA 13 and cuDNN 9).</summary>
    Cuda,
    /// <summary>The TensorRT provider, with CUDA for what TensorRT does not take.</summary>
    TensorRT,
}

internal static class ExecutionProviderNames
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
