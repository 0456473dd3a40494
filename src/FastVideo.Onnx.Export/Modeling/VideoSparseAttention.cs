using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Modeling;

/// <summary>
/// FastVideo's Video Sparse Attention (VSA) in base operators: what <see cref="ITensorOps{T}.VideoSparseAttention"/>
/// computes, and what a block-sparse kernel must reproduce.
/// <list type="number">
/// <item>The tokens of the DiT grid (frames, height, width) are regrouped into tiles of 4×4×4 in (t, h, w) order; edge
/// tiles are partial, so the grid is zero-padded to whole tiles and each tile's valid token count is kept.</item>
/// <item>Coarse stage: per tile, the means of q, k and v over its valid tokens; attention of the query means over the key
/// means gives one value per tile, broadcast to the tile's tokens.</item>
/// <item>Selection: per query tile and head, the top-k key tiles by the coarse scores, with
/// k = max(1, min(ceil((1 − sparsity)·tiles), tiles)).</item>
/// <item>Fine stage: each query attends to the valid tokens of its selected tiles only.</item>
/// <item>Output = coarse·gate + fine, in the original token order.</item>
/// </list>
/// The fine stage is lowered as dense attention with an additive mask (0 where allowed, −∞ elsewhere), which is exact:
/// every row keeps at least one tile with at least one valid token. Where the padding slots sit inside a tile does not
/// matter: padded values are zero in the sums and masked in the attention.
/// </summary>
internal static class VideoSparseAttention
{
    /// <summary>Tile extent along each of t, h, w.</summary>
    public const int Tile = 4;

    /// <summary>Token slots per tile.</summary>
    public const int TileTokens = Tile * Tile * Tile;

    /// <summary>The number of key tiles each query tile attends to at <paramref name="sparsity"/> (what the graph computes).</summary>
    public static long TopK(float sparsity, long tiles)
    {
        float share = (1f - sparsity) * tiles; // float32, as the graph computes it from its float32 input
        return Math.Max(1, Math.Min((long)MathF.Ceiling(share), tiles));
    }

    /// <summary>The number of tiles of a DiT grid.</summary>
    public static long Tiles(long frames, long height, long width) => Ceil(frames) * Ceil(height) * Ceil(width);

    static long Ceil(long n) => (n + Tile - 1) / Tile;

    /// <param name="q">[B, S, heads·headDim] queries after their norm and rotary embedding; S = frames·height·width.</param>
    /// <param name="k">keys, as <paramref name="q"/>.</param>
    /// <param name="v">values, as <paramref name="q"/>.</param>
    /// <param name="gate">[B, S, heads·headDim] the gate of the coarse output.</param>
    /// <param name="frames">the DiT grid as int64 vectors of length 1.</param>
    /// <param name="sparsity">float32 [1]: the fraction of key tiles each query tile skips.</param>
    /// <returns>[B, S, heads·headDim]</returns>
    public static T Forward<T>(ITensorOps<T> ops, T q, T k, T v, T gate, int heads, int headDim, T frames, T height, T width, T sparsity)
    {
        using var _ = ops.Scope("vsa");
        var type = ops.TypeOf(q);
        long channels = (long)heads * headDim;
        var batch = ops.Dim(q, 0);
        var tile = ops.Int64s(Tile);
        T TileCount(T n) => ops.Div(ops.Add(n, ops.Int64s(Tile - 1)), tile);
        var (tilesT, tilesH, tilesW) = (TileCount(frames), TileCount(height), TileCount(width));
        var tiles = ops.Mul(ops.Mul(tilesT, tilesH), tilesW);
        var slots = ops.Mul(tiles, ops.Int64s(TileTokens));
        var grid = new[] { frames, height, width };
        var padded = new[] { ops.Mul(tilesT, tile), ops.Mul(tilesH, tile), ops.Mul(tilesW, tile) };

        // [b, S, c] -> [b, tiles, 64, c]: pad the grid to whole tiles, then move each tile's 4x4x4 block together
        T ToTiles(T x, T b, T c)
        {
            x = ops.Reshape(x, ops.Concat(0, b, frames, height, width, c));
            for (int axis = 0; axis < 3; axis++)
            {
                var shape = ops.Shape(x);
                var padShape = ops.Concat(0, ops.Slice(shape, 0, 0, axis + 1), ops.Sub(padded[axis], grid[axis]), ops.Slice(shape, 0, axis + 2, long.MaxValue));
                x = ops.Concat(axis + 1, x, ops.Expand(ops.Scalar(0, ops.TypeOf(x)), padShape));
            }
            x = ops.Reshape(x, ops.Concat(0, b, tilesT, tile, tilesH, tile, tilesW, tile, c));
            x = ops.Transpose(x, 0, 1, 3, 5, 2, 4, 6, 7);
            return ops.Reshape(x, ops.Concat(0, b, tiles, ops.Int64s(TileTokens), c));
        }

        // [b, tiles, 64, c] -> [b, S, c]
        T FromTiles(T x)
        {
            x = ops.Reshape(x, ops.Concat(0, batch, tilesT, tilesH, tilesW, tile, tile, tile, ops.Int64s(channels)));
            x = ops.Transpose(x, 0, 1, 4, 2, 5, 3, 6, 7);
            x = ops.Reshape(x, ops.Concat(0, batch, padded[0], padded[1], padded[2], ops.Int64s(channels)));
            for (int axis = 0; axis < 3; axis++) x = ops.Slice(x, axis + 1, ops.Int64s(0), grid[axis]);
            return ops.Reshape(x, 0, -1, channels);
        }

        var one = ops.Int64s(1);
        var c = ops.Int64s(channels);
        var (qt, kt, vt, gt) = (ToTiles(q, batch, c), ToTiles(k, batch, c), ToTiles(v, batch, c), ToTiles(gate, batch, c));
        // valid[1, tiles, 64, 1]: 1 for a token of the grid, 0 for a padding slot
        var ones = ops.Expand(ops.Scalar(1, type), ops.Concat(0, one, ops.Dim(q, 1), one));
        var valid = ToTiles(ones, one, one);
        var counts = ops.ReduceSum(valid, new[] { 2 }, keepDims: false);                     // [1, tiles, 1]

        // coarse stage: [b, tiles, c] means -> [b, heads, tiles, d]
        T Means(T x) => ops.Transpose(ops.Reshape(ops.Div(ops.ReduceSum(x, new[] { 2 }, keepDims: false), counts), 0, 0, heads, headDim), 0, 2, 1, 3);
        var (qc, kc, vc) = (Means(qt), Means(kt), Means(vt));
        var scores = ops.Mul(ops.MatMul(qc, ops.Transpose(kc, 0, 1, 3, 2)), ops.Scalar(1.0 / Math.Sqrt(headDim), type)); // [b, heads, tiles, tiles]
        var coarse = ops.MatMul(ops.Softmax(scores, -1), vc);                                                           // [b, heads, tiles, d]
        coarse = ops.Reshape(ops.Transpose(coarse, 0, 2, 1, 3), 0, 0, 1, channels);                                    // [b, tiles, 1, c]

        // selection: top-k key tiles per query tile, as a 0/1 matrix [b, heads, tiles, tiles]
        var tilesF = ops.Cast(tiles, DType.Float32);
        var keep = ops.Cast(ops.Ceil(ops.Mul(ops.Sub(ops.Scalar(1, DType.Float32), ops.Cast(sparsity, DType.Float32)), tilesF)), DType.Int64);
        keep = ops.Max(ops.Int64s(1), ops.Min(keep, tiles));
        var top = ops.TopKIndices(scores, keep, -1);                                                               // [b, heads, tiles, k]
        var selected = ops.ReduceSum(ops.Cast(ops.Equal(ops.Unsqueeze(top, -1), ops.Range(tiles)), DType.Float32), new[] { 3 }, keepDims: false);

        // fine stage: attention over the valid tokens of the selected tiles, as an additive mask log(allowed) ∈ {0, −∞}
        var validKeys = ops.Reshape(ops.Cast(valid, DType.Float32), 1, 1, 1, 1, -1, TileTokens);                   // [1, 1, 1, 1, tiles, 64]
        var allowed = ops.Mul(ops.Reshape(selected, 0, 0, 0, 1, -1, 1), validKeys);                                 // [b, heads, tiles, 1, tiles, 64]
        allowed = ops.Expand(allowed, ops.Concat(0, one, one, one, ops.Int64s(TileTokens), one, one));
        var mask = ops.Log(ops.Reshape(allowed, ops.Concat(0, ops.Int64s(0, 0), slots, slots)));                  // [b, heads, P, P]
        T Flat(T x) => ops.Reshape(x, 0, -1, channels);
        var fine = ops.Attention(Flat(qt), Flat(kt), Flat(vt), heads, bias: mask);                                   // [b, P, c]

        var output = ops.Add(ops.Mul(coarse, gt), ops.Reshape(fine, ops.Concat(0, batch, tiles, ops.Int64s(TileTokens), c)));
        return FromTiles(output);
    }
}
