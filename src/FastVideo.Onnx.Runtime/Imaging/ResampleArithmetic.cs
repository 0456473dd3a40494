namespace FastVideo.Onnx.Runtime.Imaging;

/// <summary>
/// Which library's 8-bit resize to reproduce. Both convolve rows then columns with the same normalised, antialiased
/// filter weights and store the intermediate as uint8; they differ in the fixed-point precision of the weights,
/// which moves some output pixels by one level.
/// </summary>
internal enum ResampleArithmetic
{
    /// <summary>Pillow's ImagingResample: 22 fractional bits. What <c>PIL.Image.resize</c> (so Diffusers' VaeImageProcessor and transformers' PIL image processors) computes.</summary>
    Pillow,

    /// <summary>
    /// PyTorch's uint8 antialiased interpolate on CPU (<c>torchvision.transforms.v2.functional.resize</c> of a uint8
    /// tensor, which transformers 5's default torchvision image processors use): int16 weights whose precision is the
    /// largest that keeps the biggest weight below 2^15. Bilinear and bicubic only.
    /// </summary>
    TorchUint8,
}
