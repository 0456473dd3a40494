using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' WanResample: a 2-D resampling applied to each frame (nearest 2x upsampling then a 3x3 conv that halves the
/// channels, or a zero-pad right/bottom then a stride-2 3x3 conv), with, for the 3-D modes, a temporal convolution:
/// <list type="bullet">
/// <item>upsample3d: before the spatial part, a causal (3,1,1) conv to 2C channels whose halves become two frames
/// (T -> 2T). The first chunk skips it (Diffusers' 'Rep' marker) and leaves a zero cache.</item>
/// <item>downsample3d: after the spatial part, a (3,1,1) conv of stride 2 over the previous chunk's last frame and this
/// chunk's frames (1 + T -> T/2). The first chunk skips it and caches its one frame.</item>
/// </list>
/// </summary>
internal sealed class WanVaeResample : WanVaeLayer
{
    readonly int _dim;
    public WanVaeResampleMode Mode { get; }
    public Conv Resample { get; }
    public WanVaeCausalConv3d? TimeConv { get; }

    public WanVaeResample(int dim, WanVaeResampleMode mode, int? upsampleOutDim = null)
    {
        _dim = dim;
        Mode = mode;
        var sequence = Add("resample", new Container()); // nn.Sequential: index 0 is the parameterless upsample / zero pad
        bool up = mode is WanVaeResampleMode.Upsample2d or WanVaeResampleMode.Upsample3d;
        Resample = sequence.Child("1", up
            ? new Conv(dim, upsampleOutDim ?? dim / 2, new[] { 3, 3 }, padding: new[] { 1, 1 })
            : new Conv(dim, dim, new[] { 3, 3 }, stride: new[] { 2, 2 }));
        TimeConv = mode switch
        {
            WanVaeResampleMode.Upsample3d => Add("time_conv", new WanVaeCausalConv3d(dim, dim * 2, new[] { 3, 1, 1 }, padding: new[] { 1, 0, 0 })),
            WanVaeResampleMode.Downsample3d => Add("time_conv", new WanVaeCausalConv3d(dim, dim, new[] { 3, 1, 1 }, stride: new[] { 2, 1, 1 })),
            _ => null,
        };
    }

    public override T Forward<T>(ITensorOps<T> ops, T x, WanVaeChunkCache<T> cache)
    {
        using var _ = Enter(ops);
        if (Mode == WanVaeResampleMode.Upsample3d)
        {
            if (cache.IsFirstChunk) TimeConv!.SkipWithZeroCache(ops, x, cache);
            else x = Interleave(ops, TimeConv!.Forward(ops, x, cache));
        }

        var images = WanVaeFrames.ToImages(ops, x);
        images = Mode switch
        {
            // nearest-exact at an integer factor of 2 picks floor(i / 2): plain nearest
            WanVaeResampleMode.Upsample2d or WanVaeResampleMode.Upsample3d => Resample.Forward(ops, ops.UpsampleNearest(images, 2, 2)),
            // ZeroPad2d((0, 1, 0, 1)) folded into the conv's end pads
            _ => Resample.Forward(ops, images, new[] { 0, 0, 1, 1 }),
        };
        x = WanVaeFrames.ToVideo(ops, images, x);
        cache.Level += Mode is WanVaeResampleMode.Upsample2d or WanVaeResampleMode.Upsample3d ? 1 : -1;

        if (Mode == WanVaeResampleMode.Downsample3d)
        {
            using var scope = ops.Scope(TimeConv!.Path);
            var (slot, previous) = cache.Open(TimeConv.Path, _dim, 1);
            cache.Close(slot, ops.Slice(x, 2, -1, long.MaxValue));
            if (previous is not null) x = TimeConv.Forward(ops, ops.Concat(2, previous, x));
        }
        return x;
    }

    /// <summary>[B, 2C, T, H, W] -> [B, C, 2T, H, W]: channel half 0 becomes frame 2t, half 1 frame 2t + 1.</summary>
    T Interleave<T>(ITensorOps<T> ops, T x)
    {
        var split = ops.Concat(0, ops.Dim(x, 0), ops.Int64s(2, _dim), ops.Slice(ops.Shape(x), 0, 2, 5));
        var y = ops.Transpose(ops.Reshape(x, split), 0, 2, 3, 1, 4, 5); // [B, C, T, 2, H, W]
        var merged = ops.Concat(0, ops.Dim(x, 0), ops.Int64s(_dim, -1), ops.Slice(ops.Shape(x), 0, 3, 5));
        return ops.Reshape(y, merged);
    }
}
