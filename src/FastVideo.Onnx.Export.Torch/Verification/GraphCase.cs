using static TorchSharp.torch;

namespace FastVideo.Onnx.Export.Torch.Verification;

/// <summary>
/// One converted graph run both ways on the same inputs: <see cref="GraphFile"/> (in the component's output folder) on
/// ONNX Runtime, and <see cref="Eager"/>, the same model definition in TorchSharp, given the inputs as tensors by name.
/// </summary>
internal sealed record GraphCase(string GraphFile, IReadOnlyList<GraphInput> Inputs, string OutputName,
    Func<TorchOps, IReadOnlyDictionary<string, Tensor>, Tensor> Eager);
