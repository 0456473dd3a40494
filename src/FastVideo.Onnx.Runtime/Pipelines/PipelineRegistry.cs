using System.Reflection;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Registries;

namespace FastVideo.Onnx.Runtime.Pipelines;

/// <summary>
/// Pipelines by the <c>_class_name</c> of model_index.json, found by reflection over <see cref="PipelineEntryAttribute"/>
/// (this assembly and any the caller adds): a new family is new classes, not an edited switch.
/// </summary>
internal sealed class PipelineRegistry
{
    readonly EntryRegistry<PipelineEntryAttribute, VideoPipeline> _entries;

    public PipelineRegistry(params Assembly[] extraAssemblies) =>
        _entries = new EntryRegistry<PipelineEntryAttribute, VideoPipeline>("pipeline", extraAssemblies.Prepend(typeof(PipelineRegistry).Assembly).ToArray());

    public IReadOnlyCollection<string> Names => _entries.Names;

    /// <summary>
    /// The request rules of <paramref name="pipelineClass"/> for <paramref name="modelFolder"/>, read from its configs
    /// (<see cref="IPipelineRules"/>); no session is opened.
    /// </summary>
    public RequestRules Rules(string pipelineClass, string modelFolder, string source)
    {
        var type = _entries.Resolve(pipelineClass, source);
        if (!type.GetInterfaces().Contains(typeof(IPipelineRules)))
            throw new InvalidOperationException($"pipeline {type.FullName} does not implement {nameof(IPipelineRules)}");
        return (RequestRules)Reflected.InvokeGeneric(typeof(PipelineRegistry), nameof(RulesOf), type, modelFolder);
    }

    static RequestRules RulesOf<TPipeline>(string modelFolder) where TPipeline : IPipelineRules => TPipeline.Rules(modelFolder);

    public VideoPipeline Create(string pipelineClass, PipelineContext context, string source)
    {
        var type = _entries.Resolve(pipelineClass, source);
        CheckPipelineConfig(context);
        try
        {
            return (VideoPipeline)Reflected.Create(type, context);
        }
        catch
        {
            // A constructor that fails after opening components leaves them to us: no session outlives the failure.
            VideoPipeline.DisposeOpened(context);
            throw;
        }
    }

    /// <summary>
    /// The converted folder's copy of model_index.json gets the converter's pipeline-level checks again, so a folder
    /// converted by an older version (or edited since) never runs a configuration this version does not implement.
    /// </summary>
    static void CheckPipelineConfig(PipelineContext context)
    {
        string path = Path.Combine(context.ModelFolder, ModelIndex.FileName);
        if (!File.Exists(path)) return;
        // Fields it ignores were reported when the folder was converted; only refusals matter here.
        var notes = new List<string>();
        PipelineConfigRules.Check(JsonConfig.Load(path), notes);
    }
}
