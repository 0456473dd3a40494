using FastVideo.Onnx.Core.Contracts.Ltx;
using FastVideo.Onnx.Export.Ltx;
using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Torch.Verification;

/// <summary>
/// The LTX VAE's decoder on 2x2x2 latents (with the decode noise and timestep of a timestep-conditioned decoder) and its
/// encoder on the video size those latents decode to.
/// </summary>
[ComponentCheck("AutoencoderKLLTXVideo")]
internal sealed class LtxVaeCheck : IComponentCheck
{
    public IReadOnlyList<GraphCase> Cases(ModelDefinition model, SeededInputs inputs)
    {
        var vae = (AutoencoderKLLtxVideo)model;
        var c = vae.Config;
        long t = 2, h = 2, w = 2;
        var decode = new List<GraphInput> { inputs.Normal(LtxVaeContract.Latents, 1, c.LatentChannels, t, h, w) };
        if (c.TimestepConditioning)
        {
            decode.Add(new(LtxVaeContract.Timestep, new long[] { 1 }, Floats: new[] { 0.05f }));
            decode.Add(inputs.Normal(LtxVaeContract.DecodeNoise, 1, c.LatentChannels, t, h, w));
            decode.Add(new(LtxVaeContract.DecodeNoiseScale, new long[] { 1 }, Floats: new[] { 0.025f }));
        }
        long frames = (t - 1) * c.TemporalCompression + 1, height = h * c.SpatialCompression, width = w * c.SpatialCompression;
        var encode = new List<GraphInput> { inputs.Normal(LtxVaeContract.Video, 1, c.InChannels, frames, height, width) };
        return new[]
        {
            new GraphCase(LtxVaeContract.DecoderGraph, decode, LtxVaeContract.Video, (ops, x) => vae.Decode(ops, x[LtxVaeContract.Latents],
                c.TimestepConditioning ? x[LtxVaeContract.Timestep] : null, c.TimestepConditioning ? x[LtxVaeContract.DecodeNoise] : null,
                c.TimestepConditioning ? x[LtxVaeContract.DecodeNoiseScale] : null)),
            new GraphCase(LtxVaeContract.EncoderGraph, encode, LtxVaeContract.LatentMean, (ops, x) => vae.Encode(ops, x[LtxVaeContract.Video])),
        };
    }
}
