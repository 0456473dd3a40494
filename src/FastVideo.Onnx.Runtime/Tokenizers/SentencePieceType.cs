namespace FastVideo.Onnx.Runtime.Tokenizers;

/// <summary>ModelProto.SentencePiece.Type of sentencepiece_model.proto (same numbers).</summary>
internal enum SentencePieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}
