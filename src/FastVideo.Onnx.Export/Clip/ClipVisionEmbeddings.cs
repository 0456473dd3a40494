using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Clip;

/// <summary>
/// transformers' CLIPVisionEmbeddings: a bias-free patch convolution (kernel = stride = patch_size), the learned class
/// token in front, and a learned position embedding for every token (no interpolation: the image is image_size square).
/// </summary>
internal sealed class ClipVisionEmbeddings : Module
{
    readonly int _hidden;
    public Parameter ClassEmbedding { get; }
    public Conv PatchEmbedding { get; }
    public Embedding PositionEmbedding { get; }

    public ClipVisionEmbeddings(ClipVisionConfig config)
    {
        _hidden = config.HiddenSize;
        ClassEmbedding = Param("class_embedding", config.HiddenSize);
        PatchEmbedding = Add("patch_embedding", new Conv(config.NumChannels, config.HiddenSize,
            new[] { config.PatchSize, config.PatchSize }, stride: new[] { config.PatchSize, config.PatchSize }, bias: false));
        PositionEmbedding = Add("position_embedding", new Embedding(config.NumPositions, config.HiddenSize));
    }

    /// <param name="pixelValues">[B, C, image_size, image_size] in the compute type</param>
    /// <returns>[B, 1 + patches, hidden]</returns>
    public T Forward<T>(ITensorOps<T> ops, T pixelValues)
    {
        using var _ = Enter(ops);
        var patches = PatchEmbedding.Forward(ops, pixelValues);                  // [B, D, g, g]
        patches = ops.Transpose(ops.Reshape(patches, 0, 0, -1), 0, 2, 1);          // [B, g*g, D]
        var cls = ops.Reshape(ops.Weight(ClassEmbedding), 1, 1, _hidden);
        cls = ops.Expand(cls, ops.Concat(0, ops.Dim(pixelValues, 0), ops.Int64s(1, _hidden)));
        var embeddings = ops.Concat(1, cls, patches);
        // position_ids are 0..num_positions-1, so the lookup is the whole table, broadcast over the batch
        return ops.Add(embeddings, ops.Weight(PositionEmbedding.Weight));
    }
}
