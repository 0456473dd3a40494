using FastVideo.Onnx.Core.Models;

namespace FastVideo.Onnx.Export.Conversion;

/// <summary>
/// Checks a model folder the way the runtime will load its conversion (the pipeline class has a runtime pipeline; the
/// scheduler, tokenizer and image processor configs parse as generate parses them), so that convert refuses what
/// generate would refuse. Supplied by the application, which references the runtime; the converter does not.
/// </summary>
public interface ISourceValidator
{
    /// <summary>Throws for what the runtime cannot load; adds one-line notices to <paramref name="notes"/>.</summary>
    void Validate(ModelIndex index, IReadOnlyList<ComponentEntry> components, ICollection<string> notes);
}
