using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' DupUp3D, the shortcut of a Wan2.2 residual up block (no weights): each input channel is repeated
/// (repeat_interleave), and the repeats unfold into a factor_t x factor_s x factor_s neighbourhood of <c>out</c> channels.
/// On the first chunk the first factor_t - 1 frames are dropped, matching the upsampler that skips its time convolution there.
/// </summary>
public sealed class WanVaeDupUp3d : Module
{
    readonly int _inChannels;
    readonly int _outChannels;
    readonly int _factorT;
    readonly int _factorS;
    readonly int _repeats;

    public WanVaeDupUp3d(int inChannels, int outChannels, int factorT, int factorS)
    {
        int factor = factorT * factorS * factorS;
        if (outChannels * factor % inChannels != 0)
            throw new ArgumentException($"{inChannels} channels cannot be duplicated into {outChannels} x {factor}");
        (_inChannels, _outChannels, _factorT, _factorS, _repeats) = (inChannels, outChannels, factorT, factorS, outChannels * factor / inChannels);
    }

    public T Forward<T>(ITensorOps<T> ops, T x, bool firstChunk)
    {
        using var _ = ops.Scope("avg_shortcut");
        long fs = _factorS, ft = _factorT;
        // repeat_interleave on channels: [B, C, T, H, W] -> [B, C, r, T, H, W] -> [B, out, ft, fs, fs, T, H, W]
        var shape = ops.Shape(x);
        var y = ops.Expand(ops.Unsqueeze(x, 2), ops.Concat(0, ops.Dim(x, 0), ops.Int64s(_inChannels, _repeats), ops.Slice(shape, 0, 2, 5)));
        y = ops.Reshape(y, ops.Concat(0, ops.Dim(x, 0), ops.Int64s(_outChannels, ft, fs, fs), ops.Slice(shape, 0, 2, 5)));
        // -> [B, out, T, ft, H, fs, W, fs] -> [B, out, T·ft, H·fs, W·fs]
        y = ops.Transpose(y, 0, 1, 5, 2, 6, 3, 7, 4);
        y = ops.Reshape(y, 0, 0, 0, 0, 0, 0, -1);
        y = ops.Reshape(y, ops.Concat(0, ops.Slice(ops.Shape(y), 0, 0, 4), ops.Int64s(-1), ops.Dim(y, 6)));
        y = ops.Reshape(y, ops.Concat(0, ops.Dim(y, 0), ops.Int64s(_outChannels, -1), ops.Slice(ops.Shape(y), 0, 4, 6)));
        return firstChunk && _factorT > 1 ? ops.Slice(y, 2, _factorT - 1, long.MaxValue) : y;
    }
}
