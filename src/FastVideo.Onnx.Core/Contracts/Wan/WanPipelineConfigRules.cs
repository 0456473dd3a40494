using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;

namespace FastVideo.Onnx.Core.Contracts.Wan;

/// <summary>
/// Diffusers' WanPipeline / WanImageToVideoPipeline <c>__init__</c>: the components, plus <c>boundary_ratio</c>,
/// <c>expand_timesteps</c> and <c>transformer_2</c>, which only Wan2.2 sets (A14B's two experts, TI2V-5B's per-token
/// timesteps). This port runs Wan2.1 only, so a Wan2.2 folder is refused rather than run as Wan2.1.
/// </summary>
[PipelineConfigRules("WanPipeline", "WanImageToVideoPipeline")]
public sealed class WanPipelineConfigRules : IPipelineConfigRules
{
    static readonly string[] TextToVideoComponents = { "tokenizer", "text_encoder", "vae", "scheduler", "transformer", "transformer_2" };
    static readonly string[] ImageToVideoComponents = [.. TextToVideoComponents, "image_processor", "image_encoder"];

    public void Check(JsonConfig modelIndex, string pipelineClass, ICollection<string> notes)
    {
        if (modelIndex.GetBool("expand_timesteps", false))
            throw Unsupported(modelIndex, "expand_timesteps", "is true (Wan2.2 TI2V per-token timesteps)");
        if (modelIndex.Has("boundary_ratio"))
            throw Unsupported(modelIndex, "boundary_ratio", "is set (Wan2.2 A14B switches between two transformers)");
        if (modelIndex.Root["transformer_2"] is JsonArray second && second.Any(v => v is not null))
            throw Unsupported(modelIndex, "transformer_2", "is set (Wan2.2 A14B's second transformer)");

        var components = pipelineClass == "WanImageToVideoPipeline" ? ImageToVideoComponents : TextToVideoComponents;
        var ignored = modelIndex.Root
            .Select(f => f.Key)
            .Where(k => !ConfigMetadata.IsMetadata(k) && k is not ("boundary_ratio" or "expand_timesteps") && !components.Contains(k))
            .ToList();
        if (ignored.Count > 0)
            notes.Add($"{modelIndex.Path}: {pipelineClass} does not use {string.Join(", ", ignored.Select(k => $"'{k}'"))}; ignored");
    }

    static ModelFormatException Unsupported(JsonConfig config, string field, string what) =>
        new(config.Path, $"field '{field}' {what}, which is not supported yet (FastVideo.Onnx runs Wan2.1)");
}
