using FastVideo.Onnx.Core.Contracts.Umt5;
using FastVideo.Onnx.Runtime.Components.Umt5;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Components.Ltx;

/// <summary>
/// Prompt to embeddings as LTXPipeline computes them with its T5 v1.1 encoder: the prompt tokenized as given (no
/// cleaning), padded to max_sequence_length, the encoder run WITHOUT its attention mask (Diffusers passes none, so the
/// padding attends and is attended to) and the output kept whole; the mask goes to the transformer instead. The graph's
/// signature is the T5 family's (<see cref="Umt5EncoderContract"/>), so a mask of ones is fed.
/// </summary>
[ComponentRunner("T5EncoderModel")]
internal sealed class T5TextEncoderRunner : IMaskedTextEncoder, IComponentRunner<T5TextEncoderRunner>
{
    readonly T5EncoderSession _encoder;

    public int Dim => _encoder.Dim;

    T5TextEncoderRunner(T5EncoderSession encoder) => _encoder = encoder;

    public static T5TextEncoderRunner Open(ComponentRequest request) => new(T5EncoderSession.Open(request));

    public HostTensor Encode(string prompt, int maxSequenceLength) => EncodeWithMask(prompt, maxSequenceLength).Embeds;

    public (HostTensor Embeds, long[] Mask) EncodeWithMask(string prompt, int maxSequenceLength)
    {
        var tokens = _encoder.Tokenizer.Encode(prompt, maxSequenceLength, clean: false);
        var hidden = _encoder.Run(tokens.InputIds, Enumerable.Repeat(1L, maxSequenceLength).ToArray());
        return (new HostTensor(hidden, new long[] { 1, maxSequenceLength, Dim }), tokens.AttentionMask);
    }

    public void Dispose() => _encoder.Dispose();
}
