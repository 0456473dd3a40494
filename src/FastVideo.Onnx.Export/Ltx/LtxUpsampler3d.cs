using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// Diffusers' LTXVideoUpsampler3d with stride (2, 2, 2): a causal conv to in·8/upscale_factor channels rearranged
/// depth-to-space, the first frame dropped; with <c>residual</c> the input rearranged the same way, its channels tiled
/// 8/upscale_factor times, is added.
/// </summary>
internal sealed class LtxUpsampler3d : Module
{
    const int Stride = 2;
    readonly int _in;
    readonly bool _residual;
    readonly int _upscale;
    public LtxCausalConv3d Conv { get; }

    public LtxUpsampler3d(int inChannels, bool causal, bool residual, int upscaleFactor)
    {
        _in = inChannels;
        _residual = residual;
        _upscale = upscaleFactor;
        Conv = Add("conv", new LtxCausalConv3d(inChannels, inChannels * Stride * Stride * Stride / upscaleFactor, 3, causal));
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        const int volume = Stride * Stride * Stride;
        T? residual = default;
        if (_residual)
        {
            residual = LtxVideoLayout.DepthToSpace(ops, x, _in / volume, Stride, Stride, Stride);
            int repeats = volume / _upscale;
            if (repeats > 1) residual = ops.Concat(1, Enumerable.Repeat(residual, repeats).ToArray());
            residual = ops.Slice(residual, 2, Stride - 1, long.MaxValue);
        }
        var h = Conv.Forward(ops, x);
        h = LtxVideoLayout.DepthToSpace(ops, h, _in / _upscale, Stride, Stride, Stride);
        h = ops.Slice(h, 2, Stride - 1, long.MaxValue);
        return residual is null ? h : ops.Add(h, residual);
    }
}
