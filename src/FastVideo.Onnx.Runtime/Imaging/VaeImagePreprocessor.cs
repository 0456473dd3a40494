using FastVideo.Onnx.Runtime.Tensors;
using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Runtime.Imaging;

/// <summary>
/// The image-to-video conditioning image as Diffusers prepares it for the VAE: <c>video_processor.preprocess(image,
/// height, width)</c> of a PIL image, i.e. VaeImageProcessor with its defaults (resample "lanczos", do_normalize, no
/// RGB conversion, no reducing_gap): height and width rounded down to multiples of the VAE scale factor,
/// <c>image.resize((width, height), LANCZOS)</c> (aspect not kept), <c>np.array(image).astype(float32) / 255</c>, then
/// <c>2 x - 1</c>; float32 [1, 3, height, width] in [-1, 1].
/// </summary>
/// <remarks>
/// The resize is Pillow's own 8-bit algorithm (<see cref="SeparableResampler"/> with <see cref="ResampleArithmetic.Pillow"/>),
/// so the bytes equal PIL's and the floats equal Diffusers' exactly; the float steps are the same float32 operations.
/// </remarks>
internal static class VaeImagePreprocessor
{
    public const ResampleFilter DefaultFilter = ResampleFilter.Lanczos;

    public static HostTensor Preprocess(string imagePath, int height, int width, int vaeScaleFactor = 8) =>
        Preprocess(ImageLoader.Load(imagePath), height, width, vaeScaleFactor);

    public static HostTensor Preprocess(RgbImage image, int height, int width, int vaeScaleFactor = 8, ResampleFilter filter = DefaultFilter)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (vaeScaleFactor < 1) throw new InvalidRequestException("vae_scale_factor", $"must be at least 1, got {vaeScaleFactor}");
        // get_default_height_width: x - x % vae_scale_factor.
        int h = height - height % vaeScaleFactor, w = width - width % vaeScaleFactor;
        if (h <= 0) throw new InvalidRequestException("height", $"{height} leaves no pixels once rounded down to a multiple of {vaeScaleFactor}");
        if (w <= 0) throw new InvalidRequestException("width", $"{width} leaves no pixels once rounded down to a multiple of {vaeScaleFactor}");

        var resized = SeparableResampler.Resize(image, w, h, filter, ResampleArithmetic.Pillow);
        int plane = w * h;
        var data = new float[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                float unit = resized.Pixels[i * 3 + c] / 255f;
                data[c * plane + i] = 2f * unit - 1f;
            }
        }
        return new HostTensor(data, [1, 3, h, w]);
    }
}
