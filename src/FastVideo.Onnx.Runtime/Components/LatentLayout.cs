namespace FastVideo.Onnx.Runtime.Components;

/// <summary>
/// A model's latent space as its VAE config gives it: latent channels, and video frames and pixels per latent frame and
/// pixel. A video of F = 1 + t·k frames maps to 1 + k latent frames (the first frame alone, then t at a time).
/// </summary>
public sealed record LatentLayout(int Channels, int TemporalCompression, int SpatialCompression)
{
    /// <summary>Latent grid (frames, height, width) of a video of <paramref name="numFrames"/> frames at <paramref name="height"/> x <paramref name="width"/>.</summary>
    public (long F, long H, long W) Grid(int numFrames, int height, int width) =>
        ((numFrames - 1) / TemporalCompression + 1, height / SpatialCompression, width / SpatialCompression);

    /// <summary>The frame count the VAE makes nearest below <paramref name="numFrames"/> (at least 1): t·k + 1, as Diffusers rounds it.</summary>
    public int RoundFrames(int numFrames) => numFrames / TemporalCompression * TemporalCompression + 1;

    /// <summary>The shape [1, channels, f, h, w] of the latents of one video.</summary>
    public long[] Shape(int numFrames, int height, int width)
    {
        var (f, h, w) = Grid(numFrames, height, width);
        return new long[] { 1, Channels, f, h, w };
    }
}
