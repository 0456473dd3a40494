using FastVideo.Onnx.Core.Registries;

namespace FastVideo.Onnx.Export.Conversion;

/// <summary>Names the model_index.json class names (<c>WanTransformer3DModel</c>, ...) an <see cref="IComponentExporter"/> converts.</summary>
public sealed class ComponentExporterAttribute : NamedEntryAttribute
{
    public ComponentExporterAttribute(params string[] classNames) : base(classNames) { }
}
