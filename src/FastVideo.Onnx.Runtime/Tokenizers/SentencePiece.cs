namespace FastVideo.Onnx.Runtime.Tokenizers;

/// <summary>One vocabulary entry of a SentencePiece model; its id is its index in the model's piece list.</summary>
internal sealed record SentencePiece(string Text, float Score, SentencePieceType Type);
