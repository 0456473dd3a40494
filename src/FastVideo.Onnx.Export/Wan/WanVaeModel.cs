using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' AutoencoderKLWan (the Wan2.1 VAE, and Wan2.2's with <c>is_residual</c> and <c>patch_size</c>) as a chunk-at-a-time definition: <see cref="DecodeChunk"/> decodes one
/// latent frame and <see cref="EncodeChunk"/> encodes one chunk of video frames, each with the causal caches the
/// previous chunk left (<see cref="WanVaeChunkCache{T}"/>). Driving them frame by frame reproduces Diffusers'
/// <c>_decode</c> / <c>_encode</c> loops; the ONNX graphs (<see cref="WanVaeGraphs"/>) are these two forwards with the
/// caches as graph inputs and outputs. Parameter names are Diffusers' own, so checkpoints load strictly.
/// </summary>
public sealed class WanVaeModel : ModelDefinition
{
    public override string ClassName => "AutoencoderKLWan";

    public WanVaeConfig Config { get; }
    public WanVaeEncoder Encoder { get; }
    public WanVaeCausalConv3d QuantConv { get; }
    public WanVaeCausalConv3d PostQuantConv { get; }
    public WanVaeDecoder Decoder { get; }

    public WanVaeModel(WanVaeConfig config)
    {
        Config = config;
        Encoder = Add("encoder", new WanVaeEncoder(config));
        QuantConv = Add("quant_conv", new WanVaeCausalConv3d(config.ZDim * 2, config.ZDim * 2, 1));
        PostQuantConv = Add("post_quant_conv", new WanVaeCausalConv3d(config.ZDim, config.ZDim, 1));
        Decoder = Add("decoder", new WanVaeDecoder(config));
        Finish();
    }

    /// <summary>
    /// One latent frame to video frames. Diffusers applies post_quant_conv (1x1x1) to all latents before its loop, and
    /// unpatchifies and clamps the concatenated output to [-1, 1]; all are per-frame, so doing them per chunk is the
    /// same computation.
    /// </summary>
    /// <param name="latents">[B, z_dim, 1, h, w] float32, already de-normalised (<c>WanVaeNormalization.Denormalize</c>)</param>
    /// <returns>[B, video channels, 1 on the first chunk else 4, s·h, s·w] float32 in [-1, 1] (s: spatial compression)</returns>
    public T DecodeChunk<T>(ITensorOps<T> ops, T latents, WanVaeChunkCache<T> cache)
    {
        var x = PostQuantConv.Forward(ops, ops.Cast(latents, ops.ComputeType));
        x = Decoder.Forward(ops, x, cache);
        x = WanVaePatches.Unpatchify(ops, x, Config.Contract.OutChannels, Config.PatchSize);
        cache.Level += Log2(Config.PatchSize);
        return ops.Cast(ops.Clip(x, -1, 1), DType.Float32);
    }

    /// <summary>One chunk of video frames to one latent frame of the posterior mean (quant_conv, then its first z_dim channels).</summary>
    /// <param name="video">[B, video channels, 1 on the first chunk else 4, H, W] float32 in [-1, 1]</param>
    /// <returns>[B, z_dim, 1, H/s, W/s] float32, not normalised</returns>
    public T EncodeChunk<T>(ITensorOps<T> ops, T video, WanVaeChunkCache<T> cache)
    {
        var x = WanVaePatches.Patchify(ops, ops.Cast(video, ops.ComputeType), Config.Contract.InChannels, Config.PatchSize);
        cache.Level -= Log2(Config.PatchSize);
        x = Encoder.Forward(ops, x, cache);
        x = QuantConv.Forward(ops, x);
        using var _ = ops.Scope("posterior_mean");
        return ops.Cast(ops.Slice(x, 1, 0, Config.ZDim), DType.Float32);
    }

    static int Log2(int v) => 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)v);
}
