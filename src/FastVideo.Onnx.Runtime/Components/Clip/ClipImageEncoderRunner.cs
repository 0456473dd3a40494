using FastVideo.Onnx.Core.Contracts.Clip;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Imaging;
using FastVideo.Onnx.Runtime.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Runtime.Components.Clip;

/// <summary>
/// The conditioning image to CLIP tokens (the vision model's penultimate hidden states), preprocessed by the model
/// folder's <c>image_processor</c> component.
/// </summary>
[ComponentRunner(ClipVisionContract.ComponentClass)]
internal sealed class ClipImageEncoderRunner : IImageEncoder, IComponentRunner<ClipImageEncoderRunner>
{
    public const string ProcessorComponent = "image_processor";

    readonly GraphSession _session;
    readonly ClipImageProcessor _processor;

    public TimeSpan CreationTime => _session.CreationTime;

    /// <summary>Tokens per image: one per patch plus the class token ((image_size / patch_size)² + 1; 257 for ViT-H/14).</summary>
    public long Tokens { get; }

    ClipImageEncoderRunner(GraphSession session, ClipImageProcessor processor, long tokens)
    {
        _session = session;
        _processor = processor;
        Tokens = tokens;
    }

    public static ClipImageEncoderRunner Open(ComponentRequest request)
    {
        var folder = ComponentFolder.Open(request.ModelFolder, request.Component);
        var processor = ClipImageProcessor.FromFolder(Path.Combine(request.ModelFolder, ProcessorComponent));
        var contract = ClipVisionContract.FromConfig(folder.Config());
        var session = folder.OpenRequiring(request.Device, ClipVisionContract.GraphFile, new SessionSpec { OncePerRequest = true }, ClipVisionContract.PixelValues);
        return new ClipImageEncoderRunner(session, processor, contract.Tokens);
    }

    public HostTensor Preprocess(RgbImage image) => _processor.Preprocess(image);

    public HostTensor Encode(RgbImage image) => Encode(Preprocess(image));

    /// <summary>[1, tokens, hidden] for an already preprocessed image ([1, 3, H, W]).</summary>
    public HostTensor Encode(HostTensor pixels)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(pixels.Data, pixels.Shape);
        using var outputs = _session.RunAllocating(new[] { (ClipVisionContract.PixelValues, input) }, new[] { ClipVisionContract.ImageEmbeds },
            OrtMemoryInfo.DefaultInstance);
        var info = outputs[0].GetTensorTypeAndShape();
        return new HostTensor(outputs[0].GetTensorDataAsSpan<float>().ToArray(), info.Shape);
    }

    public void Dispose() => _session.Dispose();
}
