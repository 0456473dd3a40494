namespace FastVideo.Onnx.Runtime.Imaging;

/// <summary>
/// The convolution filters of PIL's resize, numbered as <c>PIL.Image.Resampling</c> (the "resample" integers of
/// transformers' preprocessor_config.json). Nearest-neighbour (0) is not a convolution and is not offered.
/// </summary>
internal enum ResampleFilter
{
    Lanczos = 1,
    Bilinear = 2,
    Bicubic = 3,
    Box = 4,
    Hamming = 5,
}
