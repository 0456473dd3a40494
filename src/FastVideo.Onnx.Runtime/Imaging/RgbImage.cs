namespace FastVideo.Onnx.Runtime.Imaging;

/// <summary>
/// An 8-bit RGB image, rows top to bottom, pixels interleaved (R, G, B): the layout of a PIL "RGB" image as
/// <c>np.array(image)</c> gives it, [Height, Width, 3].
/// </summary>
public sealed class RgbImage
{
    public int Width { get; }
    public int Height { get; }

    /// <summary>Height * Width * 3 bytes, row-major, channels last.</summary>
    public byte[] Pixels { get; }

    public RgbImage(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive");
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != checked(width * height * 3))
            throw new ArgumentException($"{width}x{height} RGB needs {width * height * 3} bytes, got {pixels.Length}", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public byte this[int x, int y, int channel] => Pixels[(y * Width + x) * 3 + channel];

    /// <summary>The pixels as float32 in [0, 1] (value / 255), [3, Height, Width] channels first.</summary>
    public float[] ToPlanarUnitFloats()
    {
        int plane = Width * Height;
        var result = new float[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            result[i] = Pixels[i * 3] / 255f;
            result[plane + i] = Pixels[i * 3 + 1] / 255f;
            result[2 * plane + i] = Pixels[i * 3 + 2] / 255f;
        }
        return result;
    }

    /// <summary>
    /// The rectangle [left, left + width) x [top, top + height) of the image; the parts of it outside the image are
    /// black (0), which is how center crops larger than the image pad.
    /// </summary>
    public RgbImage CropWithZeroFill(int left, int top, int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"crop size {width}x{height} must be positive");
        var pixels = new byte[width * height * 3];
        int x0 = Math.Max(left, 0), x1 = Math.Min(left + width, Width);
        if (x1 > x0)
        {
            for (int y = Math.Max(top, 0); y < Math.Min(top + height, Height); y++)
                Pixels.AsSpan((y * Width + x0) * 3, (x1 - x0) * 3).CopyTo(pixels.AsSpan(((y - top) * width + x0 - left) * 3));
        }
        return new RgbImage(width, height, pixels);
    }

    /// <summary>The rectangle [left, left + width) x [top, top + height), which must lie inside the image.</summary>
    public RgbImage Crop(int left, int top, int width, int height)
    {
        if (left < 0 || top < 0 || width <= 0 || height <= 0 || left + width > Width || top + height > Height)
            throw new ArgumentOutOfRangeException(nameof(left), $"crop {width}x{height} at ({left}, {top}) does not fit a {Width}x{Height} image");
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            Pixels.AsSpan(((top + y) * Width + left) * 3, width * 3).CopyTo(pixels.AsSpan(y * width * 3));
        return new RgbImage(width, height, pixels);
    }
}
