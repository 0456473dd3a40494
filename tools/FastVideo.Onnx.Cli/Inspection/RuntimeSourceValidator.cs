using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Runtime.Pipelines;

namespace FastVideo.Onnx.Cli.Inspection;

/// <summary>
/// The runtime's checks for the converter (<see cref="PipelineSourceCheck"/>): convert and inspect both build their
/// converter with <see cref="Converter"/>, so inspect's verdict is exactly convert's.
/// </summary>
public sealed class RuntimeSourceValidator : ISourceValidator
{
    /// <summary>The converter that convert runs and inspect dry-runs.</summary>
    public static ModelConverter Converter() => new() { Validator = new RuntimeSourceValidator() };

    public void Validate(ModelIndex index, IReadOnlyList<ComponentEntry> components, ICollection<string> notes)
    {
        PipelineSourceCheck.CheckPipelineClass(index);
        string indexPath = Path.Combine(index.Folder, ModelIndex.FileName);
        foreach (var entry in components)
            PipelineSourceCheck.CheckCopiedComponent(entry.Name, ComponentPath.Combine(index.Folder, entry.Name, indexPath));
    }
}
