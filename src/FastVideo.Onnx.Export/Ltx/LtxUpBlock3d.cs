using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// Diffusers' LTXVideoUpBlock3d: a resnet <c>conv_in</c> when the channel count changes, the depth-to-space upsampler
/// (input out·upscale_factor channels), then resnets; timestep-conditioned in the 0.9.1+ decoder.
/// </summary>
internal sealed class LtxUpBlock3d : Module
{
    public LtxVaeTimeEmbedder? TimeEmbedder { get; }
    public LtxResnetBlock3d? ConvIn { get; }
    public LtxUpsampler3d? Upsampler { get; }
    public ModuleList<LtxResnetBlock3d> Resnets { get; }

    public LtxUpBlock3d(int inChannels, int outChannels, int layers, double eps, bool scale, bool causal, bool timestepConditioning,
        bool upsampleResidual, int upscaleFactor)
    {
        if (timestepConditioning) TimeEmbedder = Add("time_embedder", new LtxVaeTimeEmbedder(inChannels * 4));
        if (inChannels != outChannels) ConvIn = Add("conv_in", new LtxResnetBlock3d(inChannels, outChannels, eps, causal, timestepConditioning));
        if (scale)
            Upsampler = Add("upsamplers", new Container()).Child("0", new LtxUpsampler3d(outChannels * upscaleFactor, causal, upsampleResidual, upscaleFactor));
        Resnets = Add("resnets", new ModuleList<LtxResnetBlock3d>(
            Enumerable.Range(0, layers).Select(_ => new LtxResnetBlock3d(outChannels, outChannels, eps, causal, timestepConditioning))));
    }

    public T Forward<T>(ITensorOps<T> ops, T x, T? timestep)
    {
        using var _ = Enter(ops);
        if (ConvIn is not null) x = ConvIn.Forward(ops, x, default);
        var temb = TimeEmbedder is null || timestep is null ? default : TimeEmbedder.Forward(ops, timestep);
        if (Upsampler is not null) x = Upsampler.Forward(ops, x);
        foreach (var resnet in Resnets.Items) x = resnet.Forward(ops, x, temb);
        return x;
    }
}
