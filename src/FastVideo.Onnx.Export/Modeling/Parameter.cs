namespace FastVideo.Onnx.Export.Modeling;

/// <summary>
/// A weight of a module: its Diffusers/transformers name (assigned when the model tree is finished) and the shape the
/// checkpoint must have. The tensor itself lives in the checkpoint; each backend fetches it when used.
/// </summary>
internal sealed class Parameter
{
    public string LocalName { get; }
    public long[] Shape { get; }

    /// <summary>The full dotted name in the checkpoint, e.g. <c>blocks.0.attn1.to_q.weight</c>.</summary>
    public string Name { get; internal set; }

    /// <summary>Kept in float32 whatever the export precision (Diffusers' <c>_keep_in_fp32_modules</c>).</summary>
    public bool KeepFloat32 { get; internal set; }

    internal Parameter(string localName, long[] shape)
    {
        LocalName = localName;
        Name = localName;
        Shape = shape;
    }

    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
    public override string ToString() => $"{Name} {ShapeText}";
}
