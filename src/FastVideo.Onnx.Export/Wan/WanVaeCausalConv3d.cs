using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' WanCausalConv3d: a Conv3d whose temporal padding is all on the past side (2·p_t frames), the spatial
/// padding symmetric. Run chunk by chunk, the frames before the chunk come from its cache instead of zeros.
/// </summary>
public sealed class WanVaeCausalConv3d : Module
{
    readonly int[] _stride;
    readonly int[] _padding;

    public int InChannels { get; }
    public int OutChannels { get; }
    public Parameter Weight { get; }
    public Parameter Bias { get; }

    public WanVaeCausalConv3d(int inChannels, int outChannels, int[] kernel, int[]? stride = null, int[]? padding = null)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        _stride = stride ?? new[] { 1, 1, 1 };
        _padding = padding ?? new[] { 0, 0, 0 };
        Weight = Param("weight", outChannels, inChannels, kernel[0], kernel[1], kernel[2]);
        Bias = Param("bias", outChannels);
    }

    public WanVaeCausalConv3d(int inChannels, int outChannels, int kernel, int padding = 0)
        : this(inChannels, outChannels, new[] { kernel, kernel, kernel }, padding: new[] { padding, padding, padding }) { }

    /// <summary>Frames of zeros Diffusers puts before the input when there is no cache.</summary>
    int CausalFrames => 2 * _padding[0];

    /// <summary>Without a cache: zero frames before the input (the whole video at once, or convolutions that never cache).</summary>
    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        int t = CausalFrames, h = _padding[1], w = _padding[2];
        return ops.Conv(x, Weight, Bias, _stride, new[] { t, h, w, 0, h, w });
    }

    /// <summary>
    /// With the chunk's cache: the previous chunk's last frames (zeros on the first chunk) go before the input, and the
    /// last <see cref="WanVaeChunking.CacheFrames"/> frames of that concatenation are kept for the next chunk.
    /// </summary>
    public T Forward<T>(ITensorOps<T> ops, T x, WanVaeChunkCache<T> cache)
    {
        using var _ = Enter(ops);
        if (CausalFrames != WanVaeChunking.CacheFrames)
            throw new InvalidOperationException($"{Path}: a causal cache needs {WanVaeChunking.CacheFrames} frames of temporal padding, not {CausalFrames}");
        var (slot, previous) = cache.Open(Path, InChannels, WanVaeChunking.CacheFrames);
        var full = previous is null
            ? ops.Pad(x, new long[] { 0, 0, CausalFrames, 0, 0, 0, 0, 0, 0, 0 })
            : ops.Concat(2, previous, x);
        cache.Close(slot, ops.Slice(full, 2, -WanVaeChunking.CacheFrames, long.MaxValue));
        int h = _padding[1], w = _padding[2];
        return ops.Conv(full, Weight, Bias, _stride, new[] { 0, h, w, 0, h, w });
    }

    /// <summary>
    /// The first chunk of a temporal upsampler, which skips this convolution (Diffusers' 'Rep' marker): the slot is
    /// claimed and filled with zeros shaped like <paramref name="x"/>'s last frames, which is what the second chunk
    /// convolves with (Diffusers pads it with zeros).
    /// </summary>
    public void SkipWithZeroCache<T>(ITensorOps<T> ops, T x, WanVaeChunkCache<T> cache)
    {
        using var _ = Enter(ops);
        var (slot, _) = cache.Open(Path, InChannels, WanVaeChunking.CacheFrames);
        var shape = ops.Concat(0, ops.Dim(x, 0), ops.Int64s(InChannels, WanVaeChunking.CacheFrames), ops.Slice(ops.Shape(x), 0, 3, 5));
        cache.Close(slot, ops.Expand(ops.Scalar(0, ops.TypeOf(x)), shape));
    }
}
