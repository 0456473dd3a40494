using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Core.Models;

/// <summary>
/// The pipeline-level fields of one pipeline class's model_index.json: refuses those the class uses but this port does
/// not implement (naming the field and the file) and lists those Diffusers itself ignores in <paramref name="notes"/>.
/// Both the converter and the runtime run it, so a folder that converts also loads, and one the runtime would refuse
/// never converts.
/// </summary>
public interface IPipelineConfigRules
{
    void Check(JsonConfig modelIndex, string pipelineClass, ICollection<string> notes);
}
