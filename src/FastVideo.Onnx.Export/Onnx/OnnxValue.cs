using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Onnx;

/// <summary>A value of a graph being built: its name and element type (shapes are left to ONNX Runtime's inference).</summary>
internal sealed class OnnxValue
{
    public string Name { get; }
    public DType DType { get; }

    /// <summary>Set for constants made by <c>Scalar</c>: like torch's Python numbers they adopt the other operand's type.</summary>
    public double? ScalarValue { get; init; }

    public OnnxValue(string name, DType dtype)
    {
        Name = name;
        DType = dtype;
    }

    public override string ToString() => $"{Name}: {DType.ShortName()}";
}

/// <summary>A graph input or output dimension: a fixed size or a named dynamic one (B, F, H, W, L, ...).</summary>
internal readonly record struct Dim(long Value, string? Name)
{
    public static implicit operator Dim(long value) => new(value, null);
    public static implicit operator Dim(int value) => new(value, null);
    public static implicit operator Dim(string name) => new(-1, name);
    public override string ToString() => Name ?? Value.ToString();
}
