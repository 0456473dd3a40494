using FastVideo.Onnx.Runtime.Components;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>
/// TensorRT optimisation profiles derived from a request: TensorRT builds an engine per profile, so the transformer's
/// profile is the request's exact shape (minimum = optimum = maximum), rebuilt from the engine cache when it repeats.
/// </summary>
public static class TensorRtProfiles
{
    public static ShapeProfile Fixed(string input, params long[] dims) => new(input, dims, dims, dims);

    /// <param name="timestepTokens">Tokens of a per-token <c>timestep</c> input ([batch, tokens]); null for [batch].</param>
    public static IReadOnlyList<ShapeProfile> Transformer(TransformerShape shape, int inChannels, long textTokens, int textDim,
        long? imageTokens = null, int? imageDim = null, long? timestepTokens = null)
    {
        var profiles = new List<ShapeProfile>
        {
            Fixed("hidden_states", shape.Batch, inChannels, shape.Frames, shape.Height, shape.Width),
            timestepTokens is long tokens ? Fixed("timestep", shape.Batch, tokens) : Fixed("timestep", shape.Batch),
            Fixed("encoder_hidden_states", shape.Batch, textTokens, textDim),
        };
        if (imageTokens is long n && imageDim is int d) profiles.Add(Fixed("encoder_hidden_states_image", shape.Batch, n, d));
        return profiles;
    }
}
