namespace FastVideo.Onnx.Core.Contracts.Ltx;

/// <summary>
/// What the converter writes for an AutoencoderKLLTXVideo and the runtime reads: one whole-video graph per direction.
/// The decoder graph takes the pipeline's latents as they leave the denoising loop (normalised, unpacked
/// [B, C, T, H, W]) and applies the VAE's own statistics (<c>latents_mean</c>, <c>latents_std</c> from the checkpoint,
/// <c>scaling_factor</c> from config.json) itself; a timestep-conditioned decoder (0.9.1 and later) also takes the
/// decode timestep and the noise mixed into the de-normalised latents with its scale, as LTXPipeline does.
/// </summary>
internal static class LtxVaeContract
{
    public const string DecoderGraph = "decoder.onnx";
    public const string EncoderGraph = "encoder.onnx";

    /// <summary>Decoder input: normalised latents [B, C, T, H, W] float32.</summary>
    public const string Latents = "latents";
    /// <summary>Decoder input (timestep-conditioned only): the decode timestep, float32 [B].</summary>
    public const string Timestep = "timestep";
    /// <summary>Decoder input (timestep-conditioned only): noise like the latents, float32 [B, C, T, H, W].</summary>
    public const string DecodeNoise = "decode_noise";
    /// <summary>Decoder input (timestep-conditioned only): the weight of the noise, float32 [B].</summary>
    public const string DecodeNoiseScale = "decode_noise_scale";
    /// <summary>Decoder output and encoder input: video [B, 3, F, H, W] in [-1, 1].</summary>
    public const string Video = "video";
    /// <summary>Encoder output: the posterior mean [B, C, T, H, W] as <c>encode(x).latent_dist.mean</c> gives it (not normalised).</summary>
    public const string LatentMean = "latent_mean";
}
