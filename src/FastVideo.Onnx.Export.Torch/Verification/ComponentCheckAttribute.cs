using FastVideo.Onnx.Core.Registries;

namespace FastVideo.Onnx.Export.Torch.Verification;

/// <summary>Names the model_index.json class names an <see cref="IComponentCheck"/> verifies.</summary>
internal sealed class ComponentCheckAttribute : NamedEntryAttribute
{
    public ComponentCheckAttribute(params string[] classNames) : base(classNames) { }
}
