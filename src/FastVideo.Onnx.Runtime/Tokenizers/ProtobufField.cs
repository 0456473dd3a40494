namespace FastVideo.Onnx.Runtime.Tokenizers;

/// <summary>
/// One field of a protobuf message as it lies in the bytes: <see cref="Offset"/>/<see cref="Length"/> span the whole
/// field (tag included), so a rewriter can copy the fields it keeps verbatim; <see cref="PayloadOffset"/>/
/// <see cref="PayloadLength"/> span a length-delimited field's contents; <see cref="Value"/> holds a varint or a
/// fixed-width value.
/// </summary>
internal readonly record struct ProtobufField(
    int Number,
    ProtobufWireType WireType,
    ulong Value,
    int Offset,
    int Length,
    int PayloadOffset,
    int PayloadLength)
{
    /// <summary>An int32 field: negative values travel as ten-byte sign-extended varints, hence the cast through long.</summary>
    public int AsInt32 => (int)(long)Value;

    public float AsSingle => BitConverter.Int32BitsToSingle((int)(uint)Value);
}
