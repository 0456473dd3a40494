using FastVideo.Onnx.Core.Contracts.Umt5;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Tensors;
using FastVideo.Onnx.Runtime.Tokenizers;
using Microsoft.ML.OnnxRuntime;

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
    public const string TokenizerComponent = "tokenizer";

    readonly GraphSession _session;
    readonly T5PromptTokenizer _tokenizer;

    public int Dim { get; }

    T5TextEncoderRunner(GraphSession session, T5PromptTokenizer tokenizer, int dim)
    {
        _session = session;
        _tokenizer = tokenizer;
        Dim = dim;
    }

    public static T5TextEncoderRunner Open(ComponentRequest request)
    {
        var folder = ComponentFolder.Open(request.ModelFolder, request.Component);
        var tokenizer = T5PromptTokenizer.FromFolder(Path.Combine(request.ModelFolder, TokenizerComponent));
        var contract = Umt5EncoderContract.FromConfig(folder.Config());
        var session = folder.Open(request.Device, Umt5EncoderContract.GraphFile, new SessionSpec { OncePerRequest = true });
        try
        {
            session.RequireInputs(Umt5EncoderContract.InputIds, Umt5EncoderContract.AttentionMask);
            return new T5TextEncoderRunner(session, tokenizer, contract.DModel);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public HostTensor Encode(string prompt, int maxSequenceLength) => EncodeWithMask(prompt, maxSequenceLength).Embeds;

    public (HostTensor Embeds, long[] Mask) EncodeWithMask(string prompt, int maxSequenceLength)
    {
        var tokens = _tokenizer.Encode(prompt, maxSequenceLength, clean: false);
        long[] shape = { 1, maxSequenceLength };
        var ones = Enumerable.Repeat(1L, maxSequenceLength).ToArray();
        using var ids = OrtValue.CreateTensorValueFromMemory(tokens.InputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(ones, shape);
        using var outputs = _session.RunAllocating(new[] { (Umt5EncoderContract.InputIds, ids), (Umt5EncoderContract.AttentionMask, mask) },
            new[] { Umt5EncoderContract.LastHiddenState }, OrtMemoryInfo.DefaultInstance);
        var hidden = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        return (new HostTensor(hidden, new long[] { 1, maxSequenceLength, Dim }), tokens.AttentionMask);
    }

    public void Dispose() => _session.Dispose();
}
