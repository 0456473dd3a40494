using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>
/// The denoising role of a transformer on packed latent tokens (LTX-Video): latents [B, S, C] with S = f·h·w in
/// frame-major order, the caption's padding mask, the latent grid and the RoPE interpolation scale given with each call.
/// </summary>
public interface IPackedDenoiser : IDisposable
{
    /// <summary>Channels of a packed token (latent channels times the transformer's patch volume).</summary>
    int InChannels { get; }

    int OutChannels { get; }

    /// <summary>The transformer's spatial and temporal patch sizes (the pipeline packs with them).</summary>
    (int Spatial, int Temporal) PatchSize { get; }

    /// <summary>
    /// One forward: <paramref name="hidden"/> [B, S, in_channels], <paramref name="timesteps"/> (B values),
    /// <paramref name="text"/> [B, L, caption_channels], <paramref name="textMask"/> B·L values, the latent grid
    /// (after patching) and the RoPE interpolation scale (t, h, w); the prediction into <paramref name="output"/> [B, S, out_channels].
    /// </summary>
    void Run(DeviceTensor hidden, float[] timesteps, DeviceTensor text, long[] textMask, (long F, long H, long W) grid, float[] ropeScale,
        DeviceTensor output);
}
