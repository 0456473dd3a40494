using FastVideo.Onnx.Core.Registries;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>
/// Names the Diffusers component classes (a converted component's manifest <c>class_name</c>) a runner serves, as
/// <c>[ComponentExporter]</c> names the classes the converter exports.
/// </summary>
public sealed class ComponentRunnerAttribute : NamedEntryAttribute
{
    public ComponentRunnerAttribute(params string[] componentClasses) : base(componentClasses) { }
}
