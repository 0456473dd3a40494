using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// An encoder down block: <c>LTXVideoDownBlock3D</c> (0.9.0/0.9.1: resnets, a stride-2 causal conv, then a resnet
/// <c>conv_out</c> when the channel count changes) or <c>LTXVideo095DownBlock3D</c> (resnets, then a strided conv or a
/// space-to-depth <see cref="LtxDownsampler3d"/> that also changes the channel count).
/// </summary>
internal sealed class LtxDownBlock3d : Module
{
    public ModuleList<LtxResnetBlock3d> Resnets { get; }
    public LtxCausalConv3d? ConvDownsampler { get; }
    public LtxDownsampler3d? Downsampler { get; }
    public LtxResnetBlock3d? ConvOut { get; }

    public LtxDownBlock3d(string type, int inChannels, int outChannels, int layers, double eps, bool scale, bool causal, string downsampleType)
    {
        Resnets = Add("resnets", new ModuleList<LtxResnetBlock3d>(
            Enumerable.Range(0, layers).Select(_ => new LtxResnetBlock3d(inChannels, inChannels, eps, causal))));
        if (scale)
        {
            var list = Add("downsamplers", new Container());
            if (type == LtxVaeConfig.DownBlock || downsampleType == "conv")
                ConvDownsampler = list.Child("0", new LtxCausalConv3d(inChannels, inChannels, 3, causal, stride: 2));
            else
                Downsampler = list.Child("0", new LtxDownsampler3d(inChannels, outChannels, LtxVaeConfig.Stride(downsampleType), causal));
        }
        if (type == LtxVaeConfig.DownBlock && inChannels != outChannels)
            ConvOut = Add("conv_out", new LtxResnetBlock3d(inChannels, outChannels, eps, causal));
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        foreach (var resnet in Resnets.Items) x = resnet.Forward(ops, x, default);
        if (ConvDownsampler is not null) x = ConvDownsampler.Forward(ops, x);
        if (Downsampler is not null) x = Downsampler.Forward(ops, x);
        if (ConvOut is not null) x = ConvOut.Forward(ops, x, default);
        return x;
    }
}
