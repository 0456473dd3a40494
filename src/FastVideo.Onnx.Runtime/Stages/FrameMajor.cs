namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>Between FastVideo's [B=1, T, C, H, W] noise layout and the transformer's [B=1, C, T, H, W].</summary>
internal static class FrameMajor
{
    /// <summary>[T, C, plane] → [C, T, plane].</summary>
    public static float[] ToChannelMajor(float[] frameMajor, long channels, long frames, long plane)
    {
        var result = new float[frameMajor.Length];
        for (long t = 0; t < frames; t++)
        for (long c = 0; c < channels; c++)
            Array.Copy(frameMajor, (t * channels + c) * plane, result, (c * frames + t) * plane, plane);
        return result;
    }
}
