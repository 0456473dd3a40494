using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Umt5;

/// <summary>
/// T5's bidirectional relative-position buckets (the encoder's <c>_relative_position_bucket</c>). Half of the buckets
/// per direction; within a direction the first half are exact distances and the rest log-spaced up to
/// <c>max_distance</c>, beyond which every distance shares the last bucket.
///
/// Because the buckets saturate at <c>max_distance</c>, the graph needs only a table over the relative positions
/// -max_distance..max_distance (257 entries for UMT5): it builds memory - query positions for the dynamic length L
/// (<see cref="ITensorOps{T}.Range"/>), clamps them into that range and gathers. So L stays dynamic and unbounded, and the
/// float arithmetic that decides the log-spaced buckets happens once here, on the host, in float32 exactly as torch
/// does it; a graph that recomputed the logarithm could land on the other side of an exact bucket boundary
/// (distances 16, 32, 64 for UMT5 give quotients of exactly 2, 4, 6).
/// </summary>
internal static class RelativePositionBuckets
{
    /// <summary>The bucket of every relative position -maxDistance..maxDistance (index = relative position + maxDistance).</summary>
    public static long[] Table(int numBuckets, int maxDistance)
    {
        var table = new long[2 * maxDistance + 1];
        for (int rel = -maxDistance; rel <= maxDistance; rel++) table[rel + maxDistance] = Bucket(rel, numBuckets, maxDistance);
        return table;
    }

    /// <summary>One bucket, computed with torch's float32 operations: log(rp.float() / max_exact) / log(max_distance / max_exact) * (n - max_exact), truncated.</summary>
    public static long Bucket(long relativePosition, int numBuckets, int maxDistance)
    {
        int half = numBuckets / 2;
        long bucket = relativePosition > 0 ? half : 0;
        long rp = Math.Abs(relativePosition);
        int maxExact = half / 2;
        if (rp < maxExact) return bucket + rp;
        // torch: float32 tensor ops with Python-number operands cast to float32
        float ratio = (float)rp / maxExact;
        float logRatio = MathF.Log(ratio) / (float)Math.Log((double)maxDistance / maxExact);
        logRatio *= half - maxExact;
        long large = maxExact + (long)logRatio; // .to(torch.long) truncates
        return bucket + Math.Min(large, half - 1);
    }

    /// <summary>The bucket index of every (query, key) pair: int64 [L, L] for <paramref name="length"/> = [L] (int64).</summary>
    public static T Forward<T>(ITensorOps<T> ops, T length, int numBuckets, int maxDistance)
    {
        using var _ = ops.Scope("relative_position_bucket");
        var positions = ops.Range(length);
        // relative_position[i, j] = memory position j - query position i
        var relative = ops.Sub(ops.Unsqueeze(positions, 0), ops.Unsqueeze(positions, 1));
        // Min/Max rather than Clip: TorchOps' Clip passes double bounds, and torch.clamp of an int64 tensor with float
        // bounds returns float, which Gather then refuses as indices
        var clamped = ops.Min(ops.Max(relative, ops.Int64s(-maxDistance)), ops.Int64s(maxDistance));
        var index = ops.Add(clamped, ops.Int64s(maxDistance));
        var table = Table(numBuckets, maxDistance);
        return ops.Gather(ops.Constant(table, new long[] { table.Length }), index, 0);
    }
}
