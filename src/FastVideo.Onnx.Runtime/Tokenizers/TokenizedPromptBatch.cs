namespace FastVideo.Onnx.Runtime.Tokenizers;

/// <summary>
/// Several prompts tokenized to one max length, laid out row-major as [BatchSize, MaxLength] tensors for the text
/// encoder; <see cref="Lengths"/> holds each row's number of real tokens.
/// </summary>
internal sealed record TokenizedPromptBatch(long[] InputIds, long[] AttentionMask, int[] Lengths, int BatchSize, int MaxLength)
{
    public long[] Shape => [BatchSize, MaxLength];

    /// <summary>Row <paramref name="index"/> as a single tokenized prompt (copies).</summary>
    public TokenizedPrompt this[int index] => new(
        InputIds.AsSpan(index * MaxLength, MaxLength).ToArray(),
        AttentionMask.AsSpan(index * MaxLength, MaxLength).ToArray(),
        Lengths[index]);
}
