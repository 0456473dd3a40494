namespace FastVideo.Onnx.Export.Modeling.Layers;

/// <summary>
/// torch.nn.Embedding: weight [num_embeddings, dim], rows looked up by int64 indices. The table is never transposed,
/// so the writer streams it in chunks however large it is (UMT5-XXL's is 256384 x 4096).
/// </summary>
internal sealed class Embedding : Module
{
    public Parameter Weight { get; }

    public Embedding(long numEmbeddings, long dim) => Weight = Param("weight", numEmbeddings, dim);

    /// <summary>indices [...] int64 to [..., dim] in the weight's storage type.</summary>
    public T Forward<T>(ITensorOps<T> ops, T indices)
    {
        using var _ = Enter(ops);
        return ops.Embedding(Weight, indices);
    }
}
