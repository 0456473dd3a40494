using FastVideo.Onnx.Core.Registries;

namespace FastVideo.Onnx.Core.Models;

/// <summary>Names the model_index.json <c>_class_name</c> values whose pipeline-level fields an <see cref="IPipelineConfigRules"/> checks.</summary>
public sealed class PipelineConfigRulesAttribute : NamedEntryAttribute
{
    public PipelineConfigRulesAttribute(params string[] pipelineClasses) : base(pipelineClasses) { }
}
