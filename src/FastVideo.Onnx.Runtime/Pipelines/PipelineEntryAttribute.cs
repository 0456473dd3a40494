using FastVideo.Onnx.Core.Registries;

namespace FastVideo.Onnx.Runtime.Pipelines;

/// <summary>Names the model_index.json <c>_class_name</c> values a pipeline serves (FastVideo's EntryClass).</summary>
public sealed class PipelineEntryAttribute : NamedEntryAttribute
{
    public PipelineEntryAttribute(params string[] pipelineClasses) : base(pipelineClasses) { }
}
