namespace FastVideo.Onnx.Export.Modeling;

/// <summary>
/// Ulysses sequence parallelism around an attention: each rank holds its tokens with every head; an all-to-all turns
/// [B, S/N, heads, headDim] into [B, S, heads/N, headDim] (the rank's heads over the whole sequence, rank order being
/// token order), the attention runs there, and a second all-to-all turns the result back into the rank's tokens. Since
/// attention is independent per head, the result equals the unsharded attention's rows for the rank's tokens.
/// </summary>
internal static class UlyssesAttention
{
    /// <param name="inputs">[B, S/N, heads·headDim] each (q, k, v and any per-head side input such as VSA's gate).</param>
    /// <param name="attend">The attention of the rank's heads: the inputs as [B, S, heads/N·headDim], with heads/N.</param>
    /// <returns>[B, S/N, heads·headDim]</returns>
    public static T Forward<T>(ITensorOps<T> ops, SequenceShard<T> shard, int heads, int headDim, Func<T[], int, T> attend, params T[] inputs)
    {
        if (heads % shard.WorldSize != 0)
            throw new InvalidOperationException($"{heads} heads cannot be shared by {shard.WorldSize} ranks");
        int local = heads / shard.WorldSize;
        var sharded = inputs.Select(x => ops.Reshape(ops.AllToAll(ops.Reshape(x, 0, 0, heads, headDim), 2, 1, shard), 0, 0, -1)).ToArray();
        var output = attend(sharded, local);
        return ops.Reshape(ops.AllToAll(ops.Reshape(output, 0, 0, local, headDim), 1, 2, shard), 0, 0, -1);
    }
}
