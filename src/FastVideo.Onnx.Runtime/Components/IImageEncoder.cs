using FastVideo.Onnx.Runtime.Imaging;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>The image encoding role (image-to-video): the conditioning image to the tokens the denoiser attends to.</summary>
public interface IImageEncoder : IDisposable
{
    /// <summary>Tokens per image (the second dim of <see cref="Encode"/>'s result).</summary>
    long Tokens { get; }

    /// <summary>[1, <see cref="Tokens"/>, dim] for <paramref name="image"/>, preprocessed as the model's image processor says.</summary>
    HostTensor Encode(RgbImage image);
}
