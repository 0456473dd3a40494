using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;

namespace FastVideo.Onnx.Core.Contracts.Wan;

/// <summary>
/// Diffusers' WanPipeline / WanImageToVideoPipeline <c>__init__</c>: the components, plus the Wan2.2 fields:
/// <c>expand_timesteps</c> (TI2V-5B's per-token timesteps) and <c>boundary_ratio</c> with <c>transformer_2</c> (A14B's
/// two experts). Combinations that Diffusers would run differently from what they say are refused: a
/// <c>transformer_2</c> without <c>boundary_ratio</c> (never used), a <c>boundary_ratio</c> without <c>transformer_2</c>
/// (Diffusers would call a missing transformer), a ratio outside (0, 1).
/// </summary>
[PipelineConfigRules("WanPipeline", "WanImageToVideoPipeline")]
public sealed class WanPipelineConfigRules : IPipelineConfigRules
{
    static readonly string[] TextToVideoComponents = { "tokenizer", "text_encoder", "vae", "scheduler", "transformer", "transformer_2" };
    static readonly string[] ImageToVideoComponents = [.. TextToVideoComponents, "image_processor", "image_encoder"];

    public void Check(JsonConfig modelIndex, string pipelineClass, ICollection<string> notes)
    {
        modelIndex.GetBool("expand_timesteps", false); // a non-boolean value is an error naming the field
        double? boundary = modelIndex.GetDoubleOrNull("boundary_ratio");
        bool second = modelIndex.Root["transformer_2"] is JsonArray entry && entry.Any(v => v is not null);
        if (boundary is double ratio && !(ratio > 0 && ratio < 1))
            throw new ModelFormatException(modelIndex.Path, $"field 'boundary_ratio' is {ratio}; it must be between 0 and 1 (the share of timesteps the first expert denoises from the top)");
        if (boundary is not null && !second)
            throw new ModelFormatException(modelIndex.Path, "field 'boundary_ratio' is set but there is no 'transformer_2' (the low-noise expert it switches to)");
        if (second && boundary is null)
            throw new ModelFormatException(modelIndex.Path, "field 'transformer_2' is set but 'boundary_ratio' is not: the second expert would never run");

        var components = pipelineClass == "WanImageToVideoPipeline" ? ImageToVideoComponents : TextToVideoComponents;
        var ignored = modelIndex.Root
            .Select(f => f.Key)
            .Where(k => !ConfigMetadata.IsMetadata(k) && k is not ("boundary_ratio" or "expand_timesteps") && !components.Contains(k))
            .ToList();
        if (ignored.Count > 0)
            notes.Add($"{modelIndex.Path}: {pipelineClass} does not use {string.Join(", ", ignored.Select(k => $"'{k}'"))}; ignored");
    }
}
