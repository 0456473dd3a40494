namespace FastVideo.Onnx.Export.Modeling;

/// <summary>Operators the text and image encoders (UMT5, CLIP) need beyond the base set.</summary>
public partial interface ITensorOps<T>
{
    /// <summary>
    /// The positions 0, 1, ..., n-1 as an int64 vector, where <paramref name="length"/> is an int64 vector of length 1
    /// holding n (what <see cref="Dim"/> returns), so sequence lengths stay dynamic in the graph.
    /// </summary>
    T Range(T length);
}
