using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Wan;
using static TorchSharp.torch;

namespace FastVideo.Onnx.Export.Torch.Verification;

/// <summary>
/// The VAE's first-chunk graphs (they take no caches): the decoder on one 4x4 latent frame, the encoder on one 32x32
/// frame. The later chunks' graphs run the same layers with their caches as inputs.
/// </summary>
[ComponentCheck("AutoencoderKLWan")]
public sealed class WanVaeCheck : IComponentCheck
{
    public IReadOnlyList<GraphCase> Cases(ModelDefinition model, SeededInputs inputs)
    {
        var vae = (WanVaeModel)model;
        var c = vae.Config;
        var latents = inputs.Normal(WanVaeChunking.LatentsName, 1, c.ZDim, 1, 4, 4);
        // RGB frames (Wan2.2's VAE folds 2x2 patches into its 12 input channels inside the graph); 32 divides by 8 and 16
        var video = inputs.Normal(WanVaeChunking.VideoName, 1, c.Contract.InChannels, 1, 32, 32);
        return new[]
        {
            new GraphCase(WanVaeChunking.DecoderFirstGraph, new[] { latents }, WanVaeChunking.VideoName,
                (ops, x) => vae.DecodeChunk(ops, x[WanVaeChunking.LatentsName], new WanVaeChunkCache<Tensor>(null))),
            new GraphCase(WanVaeChunking.EncoderFirstGraph, new[] { video }, WanVaeChunking.LatentMeanName,
                (ops, x) => vae.EncodeChunk(ops, x[WanVaeChunking.VideoName], new WanVaeChunkCache<Tensor>(null))),
        };
    }
}
