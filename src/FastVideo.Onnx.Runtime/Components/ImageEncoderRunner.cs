using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Imaging;
using FastVideo.Onnx.Runtime.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>The conditioning image to CLIP tokens (the vision model's penultimate hidden states), as Wan's I2V pipeline feeds them.</summary>
public sealed class ImageEncoderRunner : IDisposable
{
    public const string ComponentName = "image_encoder";
    const string GraphFile = "model.onnx";

    readonly GraphSession _session;
    readonly ClipImageProcessor _processor;

    public TimeSpan CreationTime => _session.CreationTime;

    /// <summary>Tokens per image: one per patch plus the class token ((image_size / patch_size)² + 1; 257 for Wan's ViT-H/14).</summary>
    public long Tokens { get; }

    ImageEncoderRunner(GraphSession session, ClipImageProcessor processor, long tokens)
    {
        _session = session;
        _processor = processor;
        Tokens = tokens;
        _session.RequireInputs("pixel_values");
    }

    public static ImageEncoderRunner Open(string modelFolder, ExecutionDevice device, string processorComponent = "image_processor")
    {
        var folder = ComponentFolder.Open(modelFolder, ComponentName);
        var processor = ClipImageProcessor.FromFolder(Path.Combine(modelFolder, processorComponent));
        var config = folder.Config();
        long side = config.GetInt("image_size") / config.GetInt("patch_size");
        return new ImageEncoderRunner(folder.Open(device, GraphFile, oncePerRequest: true), processor, side * side + 1);
    }

    public HostTensor Preprocess(RgbImage image) => _processor.Preprocess(image);

    /// <summary>[1, tokens, hidden] for an already preprocessed image ([1, 3, H, W]).</summary>
    public HostTensor Encode(HostTensor pixels)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(pixels.Data, pixels.Shape);
        using var outputs = _session.RunAllocating(new[] { ("pixel_values", input) }, new[] { "image_embeds" }, OrtMemoryInfo.DefaultInstance);
        var info = outputs[0].GetTensorTypeAndShape();
        return new HostTensor(outputs[0].GetTensorDataAsSpan<float>().ToArray(), info.Shape);
    }

    public void Dispose() => _session.Dispose();
}
