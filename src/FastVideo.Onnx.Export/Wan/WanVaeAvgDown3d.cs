using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' AvgDown3D, the shortcut of a Wan2.2 residual down block (no weights): each factor_t x factor_s x factor_s
/// neighbourhood is folded into channels (channel-major, then t, h, w offsets), and consecutive groups of those channels
/// are averaged down to <c>out</c> channels.
/// <para>
/// Diffusers pads the frames at the front to a multiple of factor_t, per chunk. Only the first chunk (1 frame) ever needs
/// it: later chunks reach the temporal downsamplings with an even number of frames (4, then 2), which the config's 4x
/// temporal compression guarantees.
/// </para>
/// </summary>
public sealed class WanVaeAvgDown3d : Module
{
    readonly int _outChannels;
    readonly int _factorT;
    readonly int _factorS;
    readonly int _groupSize;

    public WanVaeAvgDown3d(int inChannels, int outChannels, int factorT, int factorS)
    {
        int factor = factorT * factorS * factorS;
        if (inChannels * factor % outChannels != 0)
            throw new ArgumentException($"{inChannels} channels x {factor} cannot be averaged in groups down to {outChannels}");
        (_outChannels, _factorT, _factorS, _groupSize) = (outChannels, factorT, factorS, inChannels * factor / outChannels);
    }

    /// <param name="firstChunk">The chunk holds one frame: pad to factor_t frames first, as Diffusers does.</param>
    public T Forward<T>(ITensorOps<T> ops, T x, bool firstChunk)
    {
        using var _ = ops.Scope("avg_shortcut");
        if (firstChunk && _factorT > 1) x = ops.Pad(x, new long[] { 0, 0, _factorT - 1, 0, 0, 0, 0, 0, 0, 0 });
        long fs = _factorS, ft = _factorT;
        // [B, C, T, H, W] -> [B, C, T, H/fs, fs, W/fs, fs] -> [B, C, T/ft, ft, H/fs, fs, W/fs, fs]
        var y = ops.Reshape(x, ops.Concat(0, ops.Slice(ops.Shape(x), 0, 0, 3), ops.Int64s(-1, fs), ops.Dim(x, 4)));
        y = ops.Reshape(y, ops.Concat(0, ops.Slice(ops.Shape(y), 0, 0, 5), ops.Int64s(-1, fs)));
        y = ops.Reshape(y, ops.Concat(0, ops.Slice(ops.Shape(y), 0, 0, 2), ops.Int64s(-1, ft), ops.Slice(ops.Shape(y), 0, 3, 7)));
        // -> [B, C, ft, fs, fs, T/ft, H/fs, W/fs] -> [B, out, group, T/ft, H/fs, W/fs], averaged over the group
        y = ops.Transpose(y, 0, 1, 3, 5, 7, 2, 4, 6);
        y = ops.Reshape(y, ops.Concat(0, ops.Dim(y, 0), ops.Int64s(_outChannels, _groupSize), ops.Slice(ops.Shape(y), 0, 5, 8)));
        return ops.ReduceMean(y, new[] { 2 }, keepDims: false);
    }
}
