using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>
/// What a pipeline asks of a component when it opens it: the converted folder, the component's name in it (a pipeline
/// may hold two of one class: <c>transformer</c> and <c>transformer_2</c>), the device, and what the runner needs to
/// know ahead of the calls to come. A runner reads the hints of its roles and ignores the others.
/// </summary>
public sealed record ComponentRequest(string ModelFolder, string Component, ExecutionDevice Device)
{
    /// <summary>Receives one-line notices (a fused graph that did not load, ...).</summary>
    public Action<string>? Notice { get; init; }

    /// <summary>Denoisers: the shape of the calls to come (sessions specialised to it are created at load).</summary>
    public TransformerShape? ExpectedShape { get; init; }

    /// <summary>Denoisers: the text length of the calls to come (TensorRT builds its engines for it).</summary>
    public long? ExpectedTextTokens { get; init; }

    /// <summary>Denoisers taking image tokens: the image encoder's token count (TensorRT builds its engines for it).</summary>
    public long? ImageTokens { get; init; }

    /// <summary>VAEs: open the encoder as well as the decoder (image-to-video).</summary>
    public bool WithEncoder { get; init; }
}
