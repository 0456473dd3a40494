using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// Diffusers' LTXVideoDownsampler3d (0.9.5): the first stride_t - 1 frames prepended, then a causal conv to
/// out/(st·sh·sw) channels rearranged space-to-depth, plus the input rearranged the same way and averaged over groups of
/// channels down to out.
/// </summary>
internal sealed class LtxDownsampler3d : Module
{
    readonly int _in;
    readonly int _out;
    readonly (int T, int H, int W) _stride;
    public LtxCausalConv3d Conv { get; }

    public LtxDownsampler3d(int inChannels, int outChannels, (int T, int H, int W) stride, bool causal)
    {
        _in = inChannels;
        _out = outChannels;
        _stride = stride;
        int volume = stride.T * stride.H * stride.W;
        Conv = Add("conv", new LtxCausalConv3d(inChannels, outChannels / volume, 3, causal));
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        var (st, sh, sw) = _stride;
        if (st > 1) x = ops.Concat(2, ops.Slice(x, 2, 0, st - 1), x);
        int volume = st * sh * sw;
        int group = _in * volume / _out;
        var residual = LtxVideoLayout.SpaceToDepth(ops, x, _in, st, sh, sw);
        // unflatten(1, (-1, group)).mean(2)
        var b = ops.Dim(residual, 0);
        var rest = ops.Slice(ops.Shape(residual), 0, 2, 5);
        residual = ops.Reshape(residual, ops.Concat(0, b, ops.Int64s(_in * volume / group, group), rest));
        residual = ops.ReduceMean(residual, new[] { 2 }, keepDims: false);
        var h = LtxVideoLayout.SpaceToDepth(ops, Conv.Forward(ops, x), _out / volume, st, sh, sw);
        return ops.Add(h, residual);
    }
}
