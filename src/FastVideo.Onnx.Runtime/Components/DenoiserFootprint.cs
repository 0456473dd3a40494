namespace FastVideo.Onnx.Runtime.Components;

/// <summary>
/// The shape constants of a denoiser that the memory estimate needs, read from its config by the runner of its class
/// (each family knows its own fields), without opening a session.
/// </summary>
/// <param name="Heads">Attention heads.</param>
/// <param name="HeadDim">Width of one head.</param>
/// <param name="FfnDim">Hidden width of the feed-forward layers.</param>
/// <param name="Patch">The patch (frames, height, width) over the latent grid.</param>
/// <param name="InChannels">Channels of the latent input.</param>
internal sealed record DenoiserFootprint(int Heads, int HeadDim, int FfnDim, int[] Patch, int InChannels);
