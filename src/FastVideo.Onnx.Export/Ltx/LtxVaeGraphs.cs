using FastVideo.Onnx.Core.Contracts.Ltx;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Onnx;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>The LTX VAE's two whole-video graphs (names: <see cref="LtxVaeContract"/>); frames, height and width are dynamic.</summary>
internal static class LtxVaeGraphs
{
    public static OnnxGraphBuilder Decoder(AutoencoderKLLtxVideo model, DType computeType)
    {
        var c = model.Config;
        var g = new OnnxGraphBuilder(computeType);
        var latents = g.Input(LtxVaeContract.Latents, DType.Float32, "batch", c.LatentChannels, "latent_frames", "latent_height", "latent_width");
        OnnxValue? timestep = null, noise = null, scale = null;
        if (c.TimestepConditioning)
        {
            timestep = g.Input(LtxVaeContract.Timestep, DType.Float32, "batch");
            noise = g.Input(LtxVaeContract.DecodeNoise, DType.Float32, "batch", c.LatentChannels, "latent_frames", "latent_height", "latent_width");
            scale = g.Input(LtxVaeContract.DecodeNoiseScale, DType.Float32, "batch");
        }
        var video = model.Decode(g, latents, timestep, noise, scale);
        g.Output(video, LtxVaeContract.Video, "batch", c.OutChannels, "frames", "height", "width");
        return g;
    }

    public static OnnxGraphBuilder Encoder(AutoencoderKLLtxVideo model, DType computeType)
    {
        var c = model.Config;
        var g = new OnnxGraphBuilder(computeType);
        var video = g.Input(LtxVaeContract.Video, DType.Float32, "batch", c.InChannels, "frames", "height", "width");
        var mean = model.Encode(g, video);
        g.Output(mean, LtxVaeContract.LatentMean, "batch", c.LatentChannels, "latent_frames", "latent_height", "latent_width");
        return g;
    }
}
