using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Core.Contracts.Clip;

/// <summary>
/// The converted <c>CLIPVisionModel</c>: <c>pixel_values</c> float32 [batch, channels, image_size, image_size] in,
/// <c>image_embeds</c> float32 [batch, tokens, hidden] out (the penultimate hidden states); tokens are one per patch plus
/// the class token, (image_size / patch_size)² + 1.
/// </summary>
public sealed record ClipVisionContract(int NumChannels, int ImageSize, int PatchSize, int HiddenSize)
{
    public const string ComponentClass = "CLIPVisionModel";
    public const string GraphFile = "model.onnx";
    public const string PixelValues = "pixel_values";
    public const string ImageEmbeds = "image_embeds";
    public const string BatchDim = "batch";

    public int Tokens => (ImageSize / PatchSize) * (ImageSize / PatchSize) + 1;

    public static ClipVisionContract FromConfig(JsonConfig config) =>
        new(config.GetInt("num_channels", 3), config.GetInt("image_size"), config.GetInt("patch_size"), config.GetInt("hidden_size"));

    public GraphContract Graph => new(GraphFile,
        new[] { new TensorContract(PixelValues, DType.Float32, BatchDim, NumChannels, ImageSize, ImageSize) },
        new[] { new TensorContract(ImageEmbeds, DType.Float32, BatchDim, Tokens, HiddenSize) });
}
