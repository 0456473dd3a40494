using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Core.Safetensors;

/// <summary>One tensor of a safetensors file: where its bytes are, without reading them.</summary>
internal sealed record TensorInfo(string Name, DType DType, long[] Shape, SafetensorsFile File, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public long ByteLength => End - Begin;
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
