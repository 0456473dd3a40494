using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// Diffusers' LTXVideoCausalConv3d (parameters under <c>conv</c>): zero padding of half the kernel in height and width,
/// and in time replicated edge frames instead of zeros: kernel-1 copies of the first frame when causal, (kernel-1)/2
/// copies of the first and of the last frame otherwise.
/// </summary>
internal sealed class LtxCausalConv3d : Module
{
    readonly int _timeKernel;
    readonly bool _causal;
    public Conv Conv { get; }
    public int OutChannels { get; }

    public LtxCausalConv3d(int inChannels, int outChannels, int kernel, bool causal, int stride = 1)
    {
        _timeKernel = kernel;
        _causal = causal;
        OutChannels = outChannels;
        Conv = Add("conv", new Conv(inChannels, outChannels, new[] { kernel, kernel, kernel }, new[] { stride, stride, stride },
            new[] { 0, kernel / 2, kernel / 2 }));
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        int before = _causal ? _timeKernel - 1 : (_timeKernel - 1) / 2;
        int after = _causal ? 0 : (_timeKernel - 1) / 2;
        var parts = new List<T>();
        if (before > 0)
        {
            var first = ops.Slice(x, 2, 0, 1);
            parts.AddRange(Enumerable.Repeat(first, before));
        }
        parts.Add(x);
        if (after > 0)
        {
            var last = ops.Slice(x, 2, -1, long.MaxValue);
            parts.AddRange(Enumerable.Repeat(last, after));
        }
        return Conv.Forward(ops, parts.Count == 1 ? x : ops.Concat(2, parts.ToArray()));
    }
}
