using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>
/// The denoising network's role (a diffusion transformer): one forward over device tensors bound in place, so nothing
/// moves to the host between steps.
/// </summary>
public interface IDenoiser : IDisposable
{
    /// <summary>Channels of the latent input (latents plus any conditioning channels).</summary>
    int InChannels { get; }

    /// <summary>Channels of the prediction.</summary>
    int OutChannels { get; }

    /// <summary>Whether its self-attention is Video Sparse Attention (the call's sparsity is then used).</summary>
    bool UsesVsa { get; }

    /// <summary>The multiple the latent frame count of a call must be (1; a denoiser that splits the frames between ranks says how).</summary>
    int LatentFrameMultiple => 1;

    /// <summary>
    /// One forward: <paramref name="hidden"/> [B, in_channels, f, h, w], <paramref name="timesteps"/> (B values, host),
    /// <paramref name="text"/> [B, L, text_dim], <paramref name="image"/> [B, N, image_dim] or null, the prediction into
    /// <paramref name="output"/> [B, out_channels, f, h, w]; <paramref name="vsaSparsity"/> is the share of key tiles a
    /// VSA denoiser skips (unused by a dense one).
    /// </summary>
    void Run(DeviceTensor hidden, float[] timesteps, DeviceTensor text, DeviceTensor? image, DeviceTensor output, double vsaSparsity = 0);
}
