using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>Diffusers' WanResidualBlock: (RMS norm, SiLU, causal 3x3x3 conv) twice, plus a 1x1x1 shortcut when the width changes.</summary>
internal sealed class WanVaeResidualBlock : WanVaeLayer
{
    public WanVaeRmsNorm Norm1 { get; }
    public WanVaeCausalConv3d Conv1 { get; }
    public WanVaeRmsNorm Norm2 { get; }
    public WanVaeCausalConv3d Conv2 { get; }
    public WanVaeCausalConv3d? ConvShortcut { get; }

    public WanVaeResidualBlock(int inDim, int outDim)
    {
        Norm1 = Add("norm1", new WanVaeRmsNorm(inDim, images: false));
        Conv1 = Add("conv1", new WanVaeCausalConv3d(inDim, outDim, 3, padding: 1));
        Norm2 = Add("norm2", new WanVaeRmsNorm(outDim, images: false));
        Conv2 = Add("conv2", new WanVaeCausalConv3d(outDim, outDim, 3, padding: 1));
        ConvShortcut = inDim != outDim ? Add("conv_shortcut", new WanVaeCausalConv3d(inDim, outDim, 1)) : null;
    }

    public override T Forward<T>(ITensorOps<T> ops, T x, WanVaeChunkCache<T> cache)
    {
        using var _ = Enter(ops);
        var h = ConvShortcut is null ? x : ConvShortcut.Forward(ops, x);
        x = Conv1.Forward(ops, Norm1.Forward(ops, x, silu: true), cache);
        // dropout is the identity at inference
        x = Conv2.Forward(ops, Norm2.Forward(ops, x, silu: true), cache);
        return ops.Add(x, h);
    }
}
