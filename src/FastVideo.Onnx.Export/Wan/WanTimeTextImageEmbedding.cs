using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Diffusers' WanTimeTextImageEmbedding: sinusoidal timestep projection, time MLP (kept in float32), the six
/// modulation vectors, the text projection and, for image-to-video, the CLIP image-token projection.
/// </summary>
public sealed class WanTimeTextImageEmbedding : Module
{
    readonly int _freqDim;
    public TimestepEmbedding TimeEmbedder { get; }
    public Linear TimeProj { get; }
    public PixArtAlphaTextProjection TextEmbedder { get; }
    public WanImageEmbedding? ImageEmbedder { get; }

    public WanTimeTextImageEmbedding(int dim, int timeFreqDim, int timeProjDim, int textEmbedDim, int? imageEmbedDim)
    {
        _freqDim = timeFreqDim;
        TimeEmbedder = Add("time_embedder", new TimestepEmbedding(timeFreqDim, dim));
        TimeProj = Add("time_proj", new Linear(dim, timeProjDim));
        TextEmbedder = Add("text_embedder", new PixArtAlphaTextProjection(textEmbedDim, dim));
        if (imageEmbedDim is int imageDim) ImageEmbedder = Add("image_embedder", new WanImageEmbedding(imageDim, dim));
    }

    /// <param name="timestep">[B], or [B, S] per token (Wan2.2 TI2V's <c>expand_timesteps</c>)</param>
    /// <param name="perToken">The timesteps are [B, S]: each token gets its own embedding, as Diffusers' <c>timestep_seq_len</c>.</param>
    /// <returns>temb [B, dim] ([B, S, dim] per token), timestep projection [B, 6·dim] ([B, S, 6·dim]), text context, image context (or default)</returns>
    public (T Temb, T TimestepProj, T Text, T? Image) Forward<T>(ITensorOps<T> ops, T timestep, T text, T? image, bool perToken = false)
    {
        using var _ = Enter(ops);
        var sinusoid = SinusoidalTimesteps.Forward(ops, perToken ? ops.Reshape(timestep, -1) : timestep, _freqDim, flipSinToCos: true);
        var embedderType = ops.StorageType(TimeEmbedder.Linear1.Weight);
        var temb = ops.Cast(TimeEmbedder.Forward(ops, ops.Cast(sinusoid, embedderType)), ops.TypeOf(text));
        if (perToken) temb = ops.Reshape(temb, ops.Concat(0, ops.Shape(timestep), ops.Int64s(-1))); // [B·S, dim] -> [B, S, dim]
        var timestepProj = TimeProj.Forward(ops, ops.Silu(temb));
        var textContext = TextEmbedder.Forward(ops, text);
        var imageContext = ImageEmbedder is null || image is null ? default : ImageEmbedder.Forward(ops, image);
        return (temb, timestepProj, textContext, imageContext);
    }
}
