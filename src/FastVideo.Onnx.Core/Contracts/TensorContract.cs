using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Core.Contracts;

/// <summary>One input or output of a graph as the converter writes it and the runtime binds it: name, element type and dims.</summary>
public sealed record TensorContract(string Name, DType DType, IReadOnlyList<GraphDim> Dims)
{
    public TensorContract(string name, DType dtype, params GraphDim[] dims) : this(name, dtype, (IReadOnlyList<GraphDim>)dims) { }

    public override string ToString() => $"{Name} {DType.ShortName()} [{string.Join(", ", Dims)}]";
}
