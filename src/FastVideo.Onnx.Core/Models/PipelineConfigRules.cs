using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Registries;

namespace FastVideo.Onnx.Core.Models;

/// <summary>Finds the <see cref="IPipelineConfigRules"/> registered for a pipeline class and runs it.</summary>
internal static class PipelineConfigRules
{
    static readonly Lazy<EntryRegistry<PipelineConfigRulesAttribute, IPipelineConfigRules>> Registry =
        new(() => new EntryRegistry<PipelineConfigRulesAttribute, IPipelineConfigRules>("pipeline config rules", typeof(PipelineConfigRules).Assembly));

    /// <summary>
    /// Checks <paramref name="modelIndex"/>'s pipeline-level fields; a class without rules passes (whether a pipeline
    /// exists for it is the runtime registry's question).
    /// </summary>
    public static void Check(JsonConfig modelIndex, ICollection<string> notes)
    {
        string? pipelineClass = modelIndex.ClassName;
        if (pipelineClass is null || !Registry.Value.Contains(pipelineClass)) return;
        Registry.Value.Create(pipelineClass, $"{modelIndex.Path}: field '_class_name'").Check(modelIndex, pipelineClass, notes);
    }
}
