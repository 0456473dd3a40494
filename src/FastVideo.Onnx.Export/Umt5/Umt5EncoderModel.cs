namespace FastVideo.Onnx.Export.Umt5;

/// <summary>
/// transformers' UMT5EncoderModel (Wan2.1's text encoder): the T5-family encoder stack with a relative position bias
/// table in every block.
/// </summary>
internal sealed class Umt5EncoderModel : T5FamilyEncoder
{
    public override string ClassName => "UMT5EncoderModel";

    /// <param name="embeddingFromTiedKey">See <see cref="T5FamilyEncoder"/>.</param>
    public Umt5EncoderModel(Umt5Config config, bool embeddingFromTiedKey = false)
        : base(config, PositionBiasPolicy.EveryLayer, embeddingFromTiedKey)
    {
    }
}
