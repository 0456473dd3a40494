namespace FastVideo.Onnx.Core.Contracts.Ltx;

/// <summary>
/// LTXPipeline's packing of latents [B, C, T, H, W] into transformer tokens [B, T'·H'·W', C·pt·p·p] (T' = T/pt, H' = H/p,
/// W' = W/p; tokens frame-major, then rows, then columns; each token's features channel-major, then the patch's t, h, w
/// offsets), and its inverse. Host-side, float32, shared by the converter's tests and the runtime.
/// </summary>
internal static class LtxLatentPacking
{
    /// <summary>Packs one [B, C, T, H, W] tensor (row-major) into [B, S, D].</summary>
    public static float[] Pack(float[] latents, int batch, int channels, int frames, int height, int width, int patch = 1, int patchT = 1)
    {
        Check(latents.Length, batch, channels, frames, height, width, patch, patchT);
        var packed = new float[latents.Length];
        Walk(batch, channels, frames, height, width, patch, patchT, (src, dst) => packed[dst] = latents[src]);
        return packed;
    }

    /// <summary>The inverse of <see cref="Pack"/>: [B, S, D] back to [B, C, T, H, W].</summary>
    public static float[] Unpack(float[] packed, int batch, int channels, int frames, int height, int width, int patch = 1, int patchT = 1)
    {
        Check(packed.Length, batch, channels, frames, height, width, patch, patchT);
        var latents = new float[packed.Length];
        Walk(batch, channels, frames, height, width, patch, patchT, (src, dst) => latents[src] = packed[dst]);
        return latents;
    }

    static void Check(int length, int batch, int channels, int frames, int height, int width, int patch, int patchT)
    {
        if (patch <= 0 || patchT <= 0 || frames % patchT != 0 || height % patch != 0 || width % patch != 0)
            throw new ArgumentException($"latent grid {frames}x{height}x{width} does not divide into patches {patchT}x{patch}x{patch}");
        if ((long)batch * channels * frames * height * width != length)
            throw new ArgumentException($"{length} values are not [{batch}, {channels}, {frames}, {height}, {width}]");
    }

    /// <summary>Calls <paramref name="visit"/>(unpacked index, packed index) for every element.</summary>
    static void Walk(int batch, int channels, int frames, int height, int width, int patch, int patchT, Action<int, int> visit)
    {
        int tp = frames / patchT, hp = height / patch, wp = width / patch;
        int features = channels * patchT * patch * patch;
        for (int b = 0; b < batch; b++)
        for (int c = 0; c < channels; c++)
        for (int t = 0; t < frames; t++)
        for (int h = 0; h < height; h++)
        for (int w = 0; w < width; w++)
        {
            int src = (((b * channels + c) * frames + t) * height + h) * width + w;
            int token = ((t / patchT) * hp + h / patch) * wp + w / patch;
            int feature = ((c * patchT + t % patchT) * patch + h % patch) * patch + w % patch;
            visit(src, (b * tp * hp * wp + token) * features + feature);
        }
    }
}
