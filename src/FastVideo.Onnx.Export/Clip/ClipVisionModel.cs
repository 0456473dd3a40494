using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Clip;

/// <summary>
/// transformers' CLIPVisionModel as Wan's image-to-video pipeline uses it: the output is <c>hidden_states[-2]</c>, the
/// input of the last encoder layer (embeddings, <c>pre_layrnorm</c>, then all layers but the last). The last layer and
/// <c>post_layernorm</c> do not contribute, so they are not part of the definition; their weights, present in published
/// checkpoints, are the only extra tensors strict loading accepts.
/// </summary>
internal sealed class ClipVisionModel : ModelDefinition
{
    /// <summary>The prefix transformers 4.x checkpoints give every key (<c>self.vision_model</c>); transformers 5 saves without it.</summary>
    public const string VisionModelPrefix = "vision_model.";

    public override string ClassName => "CLIPVisionModel";

    readonly HashSet<string> _unusedWeights;

    protected override bool IsIgnorableKey(string key) => _unusedWeights.Contains(key);

    public ClipVisionConfig Config { get; }
    /// <summary>"" or <see cref="VisionModelPrefix"/>, as in the checkpoint.</summary>
    public string Prefix { get; }
    public ClipVisionEmbeddings Embeddings { get; }
    public LayerNorm PreLayerNorm { get; }
    public ModuleList<ClipEncoderLayer> Layers { get; }

    /// <summary>Names of the checkpoint tensors that the exported output does not depend on (last layer, post_layernorm).</summary>
    public IReadOnlyCollection<string> UnusedWeights => _unusedWeights;

    public ClipVisionModel(ClipVisionConfig config, string prefix = VisionModelPrefix)
    {
        if (prefix is not ("" or VisionModelPrefix)) throw new ArgumentException($"prefix must be '' or '{VisionModelPrefix}'", nameof(prefix));
        Config = config;
        Prefix = prefix;
        var vision = prefix.Length == 0 ? null : Add("vision_model", new Container());
        TModule Place<TModule>(string name, TModule module) where TModule : Module =>
            vision is null ? Add(name, module) : vision.Child(name, module);

        Embeddings = Place("embeddings", new ClipVisionEmbeddings(config));
        PreLayerNorm = Place("pre_layrnorm", new LayerNorm(config.HiddenSize, config.LayerNormEps));
        var encoder = Place("encoder", new Container());
        Layers = encoder.Child("layers", new ModuleList<ClipEncoderLayer>(
            Enumerable.Range(0, config.NumHiddenLayers - 1).Select(_ => new ClipEncoderLayer(config))));
        Finish();

        // The skipped parts, built only to name their weights exactly as the checkpoint does.
        var lastLayer = new ClipEncoderLayer(config);
        lastLayer.AssignPaths($"{prefix}encoder.layers.{config.NumHiddenLayers - 1}", Array.Empty<string>(), false);
        var postLayerNorm = new LayerNorm(config.HiddenSize, config.LayerNormEps);
        postLayerNorm.AssignPaths($"{prefix}post_layernorm", Array.Empty<string>(), false);
        _unusedWeights = lastLayer.Parameters().Concat(postLayerNorm.Parameters()).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <param name="pixelValues">float32 [B, C, image_size, image_size] (CLIPImageProcessor output)</param>
    /// <returns>image_embeds = hidden_states[-2], float32 [B, 1 + patches, hidden]</returns>
    public T Forward<T>(ITensorOps<T> ops, T pixelValues)
    {
        var x = Embeddings.Forward(ops, ops.Cast(pixelValues, ops.ComputeType));
        x = PreLayerNorm.Forward(ops, x);
        foreach (var layer in Layers.Items) x = layer.Forward(ops, x);
        return ops.Cast(x, DType.Float32);
    }
}
