using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;

namespace FastVideo.Onnx.Runtime.Pipelines.Wan;

/// <summary>
/// The pipeline-level fields of a Wan model_index.json that choose between Wan2.1 and Wan2.2 behaviour (checked at
/// conversion by <see cref="FastVideo.Onnx.Core.Contracts.Wan.WanPipelineConfigRules"/>): <c>expand_timesteps</c> (TI2V-5B: per-token timesteps, the
/// image replaces latent frame 0), <c>boundary_ratio</c> with <c>transformer_2</c> (A14B: two experts).
/// </summary>
internal sealed record WanModelOptions(bool ExpandTimesteps, double? BoundaryRatio, bool HasSecondTransformer)
{
    /// <summary>Diffusers' num_train_timesteps of the Wan schedulers: the boundary in timesteps is ratio · 1000.</summary>
    public double? BoundaryTimestep(int numTrainTimesteps) => BoundaryRatio * numTrainTimesteps;

    public bool TwoExperts => BoundaryRatio is not null && HasSecondTransformer;

    /// <summary>Wan2.2 behaviour (either feature): the pipelines denoise with <see cref="WanExpertSteps"/> and <see cref="WanTokenTimesteps"/>.</summary>
    public bool IsWan22 => ExpandTimesteps || TwoExperts;

    public static WanModelOptions Load(string modelFolder)
    {
        var index = JsonConfig.Load(Path.Combine(modelFolder, ModelIndex.FileName));
        bool second = index.Root["transformer_2"] is JsonArray entry && entry.Any(v => v is not null);
        return new WanModelOptions(index.GetBool("expand_timesteps", false), index.GetDoubleOrNull("boundary_ratio"), second);
    }
}
