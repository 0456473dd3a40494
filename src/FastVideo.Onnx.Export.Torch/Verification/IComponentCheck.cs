using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Torch.Verification;

/// <summary>
/// How to verify one kind of converted component: which of its graphs to run, on which inputs, and the eager forward
/// that must agree. Found by reflection through <see cref="ComponentCheckAttribute"/> (the Diffusers class names).
/// </summary>
internal interface IComponentCheck
{
    IReadOnlyList<GraphCase> Cases(ModelDefinition model, SeededInputs inputs);
}
