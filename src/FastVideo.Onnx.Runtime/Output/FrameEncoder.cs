using SkiaSharp;

namespace FastVideo.Onnx.Runtime.Output;

/// <summary>One video frame encoded as an image file (PNG for frame folders, JPEG inside the AVI fallback).</summary>
internal static class FrameEncoder
{
    public static byte[] Encode(VideoFrames video, int index, SKEncodedImageFormat format, int quality)
    {
        var info = new SKImageInfo(video.Width, video.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var rgb = video.Rgb24(index);
        var pixels = new byte[video.Width * video.Height * 4];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            pixels[j] = rgb[i];
            pixels[j + 1] = rgb[i + 1];
            pixels[j + 2] = rgb[i + 2];
            pixels[j + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }
}
