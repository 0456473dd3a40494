namespace FastVideo.Onnx.Core.Contracts;

/// <summary>One dimension of a graph input or output: a fixed size, or the name of a dynamic axis (batch, frames, ...).</summary>
public readonly record struct GraphDim(long Size, string? Name)
{
    public static implicit operator GraphDim(long size) => new(size, null);
    public static implicit operator GraphDim(int size) => new(size, null);
    public static implicit operator GraphDim(string name) => new(-1, name);

    public bool IsNamed => Name is not null;

    public override string ToString() => Name ?? Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
