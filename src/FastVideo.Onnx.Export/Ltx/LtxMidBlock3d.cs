using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>Diffusers' LTXVideoMidBlock3d: resnets at one width, timestep-conditioned in the 0.9.1+ decoder.</summary>
internal sealed class LtxMidBlock3d : Module
{
    public LtxVaeTimeEmbedder? TimeEmbedder { get; }
    public ModuleList<LtxResnetBlock3d> Resnets { get; }

    public LtxMidBlock3d(int channels, int layers, double eps, bool causal, bool timestepConditioning)
    {
        if (timestepConditioning) TimeEmbedder = Add("time_embedder", new LtxVaeTimeEmbedder(channels * 4));
        Resnets = Add("resnets", new ModuleList<LtxResnetBlock3d>(
            Enumerable.Range(0, layers).Select(_ => new LtxResnetBlock3d(channels, channels, eps, causal, timestepConditioning))));
    }

    /// <param name="timestep">scaled decode timestep [B] (timestep-conditioned only)</param>
    public T Forward<T>(ITensorOps<T> ops, T x, T? timestep)
    {
        using var _ = Enter(ops);
        var temb = TimeEmbedder is null || timestep is null ? default : TimeEmbedder.Forward(ops, timestep);
        foreach (var resnet in Resnets.Items) x = resnet.Forward(ops, x, temb);
        return x;
    }
}
