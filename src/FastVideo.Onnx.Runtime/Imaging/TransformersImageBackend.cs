namespace FastVideo.Onnx.Runtime.Imaging;

/// <summary>
/// Which of transformers' two image-processor implementations to reproduce. transformers 5 builds
/// <c>CLIPImageProcessor</c> on torchvision when torchvision is installed (its default, and what this project's
/// reference fixtures used); <c>CLIPImageProcessorPil</c> and transformers 4's CLIPImageProcessor work through PIL and
/// NumPy. Their outputs differ by one uint8 level in a few resized pixels (about 0.015 after CLIP normalisation).
/// </summary>
internal enum TransformersImageBackend
{
    Torchvision,
    Pil,
}
