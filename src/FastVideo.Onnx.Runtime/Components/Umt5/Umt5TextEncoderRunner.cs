using FastVideo.Onnx.Core.Contracts.Umt5;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Components.Umt5;

/// <summary>
/// Prompt to embeddings as Diffusers' pipelines with a UMT5 encoder compute them: T5 tokenization padded to
/// max_sequence_length, the UMT5 encoder, then the output trimmed to the prompt's real tokens and zero-padded back to
/// max_sequence_length. The tokenizer is the model folder's <c>tokenizer</c> component.
/// </summary>
[ComponentRunner(Umt5EncoderContract.ComponentClass)]
internal sealed class Umt5TextEncoderRunner : ITextEncoder, IComponentRunner<Umt5TextEncoderRunner>
{
    readonly T5EncoderSession _encoder;

    public int Dim => _encoder.Dim;
    public TimeSpan CreationTime => _encoder.CreationTime;

    Umt5TextEncoderRunner(T5EncoderSession encoder) => _encoder = encoder;

    public static Umt5TextEncoderRunner Open(ComponentRequest request) => new(T5EncoderSession.Open(request));

    /// <summary>[1, maxSequenceLength, Dim] embeddings of <paramref name="prompt"/>, zero after its tokens.</summary>
    public HostTensor Encode(string prompt, int maxSequenceLength)
    {
        var tokens = _encoder.Tokenizer.Encode(prompt, maxSequenceLength);
        var hidden = _encoder.Run(tokens.InputIds, tokens.AttentionMask);
        Array.Clear(hidden, tokens.Length * Dim, hidden.Length - tokens.Length * Dim);
        return new HostTensor(hidden, new long[] { 1, maxSequenceLength, Dim });
    }

    public void Dispose() => _encoder.Dispose();
}
