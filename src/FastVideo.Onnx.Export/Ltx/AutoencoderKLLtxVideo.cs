using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// Diffusers' AutoencoderKLLTXVideo: encoder, decoder and the latent statistics buffers <c>latents_mean</c> and
/// <c>latents_std</c> (saved in the checkpoint). <see cref="Decode{T}"/> takes the pipeline's normalised latents and does
/// what LTXPipeline does before <c>vae.decode</c>: de-normalise and, for a timestep-conditioned decoder, mix in the
/// decode noise.
/// </summary>
internal sealed class AutoencoderKLLtxVideo : ModelDefinition
{
    public override string ClassName => "AutoencoderKLLTXVideo";

    public LtxVaeConfig Config { get; }
    public LtxVideoEncoder3d Encoder { get; }
    public LtxVideoDecoder3d Decoder { get; }
    public Parameter LatentsMean { get; }
    public Parameter LatentsStd { get; }

    public AutoencoderKLLtxVideo(LtxVaeConfig config)
    {
        Config = config;
        Encoder = Add("encoder", new LtxVideoEncoder3d(config));
        Decoder = Add("decoder", new LtxVideoDecoder3d(config));
        LatentsMean = Param("latents_mean", config.LatentChannels);
        LatentsStd = Param("latents_std", config.LatentChannels);
        Finish();
    }

    /// <param name="latents">normalised latents [B, C, T, H, W] float32</param>
    /// <param name="timestep">decode timestep [B] (timestep-conditioned decoders only)</param>
    /// <param name="noise">noise like the latents (timestep-conditioned only)</param>
    /// <param name="noiseScale">[B] (timestep-conditioned only)</param>
    /// <returns>video [B, 3, F, H, W] float32 in [-1, 1]</returns>
    public T Decode<T>(ITensorOps<T> ops, T latents, T? timestep, T? noise, T? noiseScale)
    {
        var f32 = DType.Float32;
        T z;
        using (ops.Scope("denormalize"))
        {
            // latents * latents_std / scaling_factor + latents_mean, per channel
            var std = ops.Reshape(ops.Cast(ops.Weight(LatentsStd), f32), 1, -1, 1, 1, 1);
            var mean = ops.Reshape(ops.Cast(ops.Weight(LatentsMean), f32), 1, -1, 1, 1, 1);
            z = ops.Add(ops.Div(ops.Mul(ops.Cast(latents, f32), std), ops.Scalar(Config.ScalingFactor, f32)), mean);
            if (Config.TimestepConditioning)
            {
                if (noise is null || noiseScale is null || timestep is null)
                    throw new InvalidOperationException("a timestep-conditioned decoder needs the decode timestep, noise and noise scale");
                // (1 - s) * latents + s * noise, s per batch row
                var s = ops.Reshape(ops.Cast(noiseScale, f32), -1, 1, 1, 1, 1);
                z = ops.Add(ops.Mul(ops.Sub(ops.Scalar(1, f32), s), z), ops.Mul(s, ops.Cast(noise, f32)));
            }
        }
        var video = Decoder.Forward(ops, ops.Cast(z, ops.ComputeType), Config.TimestepConditioning ? timestep : default);
        return ops.Cast(video, f32);
    }

    /// <param name="video">[B, 3, F, H, W] float32 in [-1, 1]</param>
    /// <returns>the posterior mean [B, C, T, H, W] float32</returns>
    public T Encode<T>(ITensorOps<T> ops, T video) => ops.Cast(Encoder.Forward(ops, ops.Cast(video, ops.ComputeType)), DType.Float32);
}
