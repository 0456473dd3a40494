using FastVideo.Onnx.Core.Errors;
using SkiaSharp;

namespace FastVideo.Onnx.Runtime.Imaging;

/// <summary>
/// Reads an image file (PNG, JPEG, WebP, GIF's first frame, BMP, ...) through SkiaSharp into an <see cref="RgbImage"/>,
/// matching what <c>diffusers.utils.load_image(path)</c> hands a pipeline: the EXIF orientation applied
/// (<c>ImageOps.exif_transpose</c>), then <c>convert("RGB")</c>, which drops alpha without blending and repeats gray.
/// </summary>
/// <remarks>
/// Pixels are decoded without colour management, as PIL does (it ignores embedded ICC profiles). Checked against
/// Pillow 9.4 byte for byte: RGB, RGBA, gray and palette PNGs, 4:2:0 and 4:4:4 JPEGs, all eight EXIF orientations.
/// JPEG goes through each library's own libjpeg-turbo build, so other builds could differ by a level in places.
/// 16-bit PNGs are reduced to 8 bits by Skia, while PIL's "I;16" to "RGB" conversion clips: those load differently.
/// </remarks>
internal static class ImageLoader
{
    public static RgbImage Load(string path, bool applyExifOrientation = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new InvalidRequestException(path, "image file not found");
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidRequestException(path, $"image file cannot be read ({e.Message})");
        }
        return Decode(data, path, applyExifOrientation);
    }

    /// <summary>Decodes an encoded image held in memory; <paramref name="name"/> is what errors call it.</summary>
    public static RgbImage Decode(byte[] encoded, string name, bool applyExifOrientation = true)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        if (encoded.Length == 0) throw new InvalidRequestException(name, "image file is empty");
        using var skData = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(skData);
        if (codec is null) throw new InvalidRequestException(name, "not an image file SkiaSharp can decode (PNG, JPEG, WebP, GIF, BMP, ICO, WBMP)");

        int width = codec.Info.Width, height = codec.Info.Height;
        if (width <= 0 || height <= 0) throw new InvalidRequestException(name, $"image has no pixels ({width}x{height})");
        // Unpremultiplied RGBA with no colour space: the stored samples as they are, alpha not folded into colour.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        SKCodecResult result;
        unsafe
        {
            fixed (byte* p = rgba) result = codec.GetPixels(info, (IntPtr)p);
        }
        if (result != SKCodecResult.Success)
            throw new InvalidRequestException(name, result == SKCodecResult.IncompleteInput
                ? "image file is truncated"
                : $"image could not be decoded ({result})");

        var rgb = new byte[width * height * 3];
        for (int i = 0, n = width * height; i < n; i++)
        {
            rgb[i * 3] = rgba[i * 4];
            rgb[i * 3 + 1] = rgba[i * 4 + 1];
            rgb[i * 3 + 2] = rgba[i * 4 + 2];
        }
        var image = new RgbImage(width, height, rgb);
        return applyExifOrientation ? Orient(image, codec.EncodedOrigin) : image;
    }

    /// <summary>Turns a decoded image upright from its EXIF orientation (the tag's values are SKEncodedOrigin's), as PIL's exif_transpose does.</summary>
    public static RgbImage Orient(RgbImage image, SKEncodedOrigin origin)
    {
        int w = image.Width, h = image.Height;
        bool swaps = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        // For each output pixel (x, y), the source pixel it takes.
        Func<int, int, (int X, int Y)>? source = origin switch
        {
            SKEncodedOrigin.TopRight => (x, y) => (w - 1 - x, y),                 // 2: mirror left-right
            SKEncodedOrigin.BottomRight => (x, y) => (w - 1 - x, h - 1 - y),      // 3: rotate 180
            SKEncodedOrigin.BottomLeft => (x, y) => (x, h - 1 - y),               // 4: mirror top-bottom
            SKEncodedOrigin.LeftTop => (x, y) => (y, x),                          // 5: transpose
            SKEncodedOrigin.RightTop => (x, y) => (y, h - 1 - x),                 // 6: rotate 90 clockwise
            SKEncodedOrigin.RightBottom => (x, y) => (w - 1 - y, h - 1 - x),      // 7: transverse
            SKEncodedOrigin.LeftBottom => (x, y) => (w - 1 - y, x),               // 8: rotate 90 counter-clockwise
            _ => null,
        };
        if (source is null) return image;
        int outW = swaps ? h : w, outH = swaps ? w : h;
        var pixels = new byte[outW * outH * 3];
        for (int y = 0; y < outH; y++)
        for (int x = 0; x < outW; x++)
        {
            var (sx, sy) = source(x, y);
            int from = (sy * w + sx) * 3, to = (y * outW + x) * 3;
            pixels[to] = image.Pixels[from];
            pixels[to + 1] = image.Pixels[from + 1];
            pixels[to + 2] = image.Pixels[from + 2];
        }
        return new RgbImage(outW, outH, pixels);
    }
}
