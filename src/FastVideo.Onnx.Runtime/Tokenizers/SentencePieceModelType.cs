namespace FastVideo.Onnx.Runtime.Tokenizers;

/// <summary>TrainerSpec.ModelType of sentencepiece_model.proto (same numbers). T5 and UMT5 use <see cref="Unigram"/>.</summary>
internal enum SentencePieceModelType
{
    Unigram = 1,
    Bpe = 2,
    Word = 3,
    Char = 4,
}
