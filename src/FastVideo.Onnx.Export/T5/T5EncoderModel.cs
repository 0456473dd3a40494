using FastVideo.Onnx.Export.Umt5;

namespace FastVideo.Onnx.Export.T5;

/// <summary>
/// transformers' T5EncoderModel (T5 v1.1, LTX-Video's text encoder): the T5-family encoder stack with one relative
/// position bias table, in block 0, whose bias every block reuses. The config fields are UMT5's (same names, same
/// defaults, same gated-gelu = gelu_new convention).
/// </summary>
internal sealed class T5EncoderModel : T5FamilyEncoder
{
    public override string ClassName => "T5EncoderModel";

    /// <param name="embeddingFromTiedKey">See <see cref="T5FamilyEncoder"/>.</param>
    public T5EncoderModel(Umt5Config config, bool embeddingFromTiedKey = false)
        : base(config, PositionBiasPolicy.FirstLayerShared, embeddingFromTiedKey)
    {
    }
}
