namespace FastVideo.Onnx.Export.Modeling.Layers;

/// <summary>torch.nn.Conv1d/2d/3d: weight [out, in/groups, *kernel], optional bias; symmetric padding per axis.</summary>
internal sealed class Conv : Module
{
    readonly int[] _stride;
    readonly int[] _padding;
    readonly int _groups;
    public Parameter Weight { get; }
    public Parameter? Bias { get; }
    public int[] Kernel { get; }

    public Conv(int inChannels, int outChannels, int[] kernel, int[]? stride = null, int[]? padding = null, bool bias = true, int groups = 1)
    {
        Kernel = kernel;
        _stride = stride ?? kernel.Select(_ => 1).ToArray();
        _padding = padding ?? kernel.Select(_ => 0).ToArray();
        _groups = groups;
        Weight = Param("weight", new long[] { outChannels, inChannels / groups }.Concat(kernel.Select(k => (long)k)).ToArray());
        Bias = bias ? Param("bias", outChannels) : null;
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        return ops.Conv(x, Weight, Bias, _stride, _padding.Concat(_padding).ToArray(), _groups);
    }

    /// <summary>The convolution with explicit ONNX-ordered pads instead of the module's own (causal convolutions pad one side).</summary>
    public T Forward<T>(ITensorOps<T> ops, T x, int[] pads)
    {
        using var _ = Enter(ops);
        return ops.Conv(x, Weight, Bias, _stride, pads, _groups);
    }
}
