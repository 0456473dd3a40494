using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Runtime.Tensors;

/// <summary>A float32 tensor in host memory: request inputs (latents), results (latents, video) and test data.</summary>
public sealed record HostTensor(float[] Data, long[] Shape)
{
    /// <summary>The number of elements (the product of <see cref="Shape"/>).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    /// <summary>The shape as text, for messages: "[1, 16, 3, 8, 8]".</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    /// <summary>A tensor of zeros with this shape.</summary>
    public static HostTensor Zeros(params long[] shape) => new(new float[shape.Aggregate(1L, (a, b) => a * b)], shape);

    /// <summary>Reads tensor <paramref name="name"/> from a safetensors file as float32.</summary>
    public static HostTensor Load(string path, string name)
    {
        using var file = SafetensorsFile.Open(path);
        var info = file.Tensors.GetValueOrDefault(name)
                   ?? throw new ModelFormatException(path, $"has no tensor '{name}' (it has: {string.Join(", ", file.Tensors.Keys.Take(8))})");
        if (!info.DType.IsFloat()) throw new ModelFormatException(path, $"tensor '{name}' is {info.DType}, expected floating point");
        return new HostTensor(file.ReadSingle(info), info.Shape);
    }
}
