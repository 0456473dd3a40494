using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Onnx;

/// <summary>
/// A constant tensor of a graph: either small inline data, or a checkpoint weight that the writer streams into the
/// external data file (converted to <see cref="DType"/>, transposed from [out, in] to [in, out] when
/// <see cref="Transposed"/>).
/// </summary>
internal sealed record Initializer(string Name, DType DType, long[] Shape, byte[]? InlineData = null, string? SourceWeight = null, bool Transposed = false)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public long ByteLength => ElementCount * DType.Size();
}
