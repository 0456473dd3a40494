using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// Diffusers' LTXVideoResnetBlock3d: channel RMSNorm (eps 1e-8, no affine), SiLU, causal conv, twice, plus the input
/// (through a channel LayerNorm and a 1x1x1 conv when the channel count changes). Timestep-conditioned blocks modulate
/// both norms with shift/scale from their <c>scale_shift_table</c> plus the block's timestep embedding.
/// </summary>
internal sealed class LtxResnetBlock3d : Module
{
    public const double NormEps = 1e-8;

    readonly int _in;
    readonly int _out;
    public LtxCausalConv3d Conv1 { get; }
    public LtxCausalConv3d Conv2 { get; }
    public LayerNorm? Norm3 { get; }
    public LtxCausalConv3d? ConvShortcut { get; }
    public Parameter? ScaleShiftTable { get; }

    public LtxResnetBlock3d(int inChannels, int outChannels, double eps, bool causal, bool timestepConditioning = false)
    {
        _in = inChannels;
        _out = outChannels;
        Conv1 = Add("conv1", new LtxCausalConv3d(inChannels, outChannels, 3, causal));
        Conv2 = Add("conv2", new LtxCausalConv3d(outChannels, outChannels, 3, causal));
        if (inChannels != outChannels)
        {
            Norm3 = Add("norm3", new LayerNorm(inChannels, eps));
            ConvShortcut = Add("conv_shortcut", new LtxCausalConv3d(inChannels, outChannels, 1, causal));
        }
        if (timestepConditioning) ScaleShiftTable = Param("scale_shift_table", 4, inChannels);
    }

    /// <param name="x">[B, C, T, H, W]</param>
    /// <param name="temb">the enclosing block's timestep embedding [B, 4·C] (timestep-conditioned blocks only)</param>
    public T Forward<T>(ITensorOps<T> ops, T x, T? temb)
    {
        using var _ = Enter(ops);
        T[]? modulation = null;
        if (ScaleShiftTable is not null)
        {
            if (temb is null) throw new InvalidOperationException($"{Path} is timestep-conditioned and was given no timestep embedding");
            // temb.unflatten(1, (4, -1)) + table[None, ..., None, None, None], unbound into shift1, scale1, shift2, scale2
            var table = ops.Reshape(ops.Cast(ops.Weight(ScaleShiftTable), ops.TypeOf(temb)), 1, 4, _in, 1, 1, 1);
            var sum = ops.Add(ops.Reshape(temb, 0, 4, _in, 1, 1, 1), table);
            modulation = ops.Split(sum, 1, 1, 1, 1, 1).Select(p => ops.Squeeze(p, 1)).ToArray();
        }
        var h = LtxVideoLayout.ChannelRmsNorm(ops, x, _in, NormEps);
        if (modulation is not null) h = ops.Add(ops.Mul(h, ops.Add(ops.Scalar(1, ops.TypeOf(h)), modulation[1])), modulation[0]);
        h = Conv1.Forward(ops, ops.Silu(h));
        h = LtxVideoLayout.ChannelRmsNorm(ops, h, _out, NormEps);
        if (modulation is not null) h = ops.Add(ops.Mul(h, ops.Add(ops.Scalar(1, ops.TypeOf(h)), modulation[3])), modulation[2]);
        h = Conv2.Forward(ops, ops.Silu(h));
        var residual = x;
        if (Norm3 is not null) residual = LtxVideoLayout.ChannelLayerNorm(ops, residual, _in, Norm3.Weight!, Norm3.Bias!, Norm3.Eps);
        if (ConvShortcut is not null) residual = ConvShortcut.Forward(ops, residual);
        return ops.Add(h, residual);
    }
}
