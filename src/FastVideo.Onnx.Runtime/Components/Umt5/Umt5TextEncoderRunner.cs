using FastVideo.Onnx.Core.Contracts.Umt5;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Tensors;
using FastVideo.Onnx.Runtime.Tokenizers;
using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Runtime.Components.Umt5;

/// <summary>
/// Prompt to embeddings as Diffusers' pipelines with a UMT5 encoder compute them: T5 tokenization padded to
/// max_sequence_length, the UMT5 encoder, then the output trimmed to the prompt's real tokens and zero-padded back to
/// max_sequence_length. The tokenizer is the model folder's <c>tokenizer</c> component.
/// </summary>
[ComponentRunner(Umt5EncoderContract.ComponentClass)]
public sealed class Umt5TextEncoderRunner : ITextEncoder, IComponentRunner<Umt5TextEncoderRunner>
{
    public const string TokenizerComponent = "tokenizer";

    readonly GraphSession _session;
    readonly T5PromptTokenizer _tokenizer;

    public int Dim { get; }
    public TimeSpan CreationTime => _session.CreationTime;

    Umt5TextEncoderRunner(GraphSession session, T5PromptTokenizer tokenizer, int dim)
    {
        _session = session;
        _tokenizer = tokenizer;
        Dim = dim;
    }

    public static Umt5TextEncoderRunner Open(ComponentRequest request)
    {
        var folder = ComponentFolder.Open(request.ModelFolder, request.Component);
        var tokenizer = T5PromptTokenizer.FromFolder(Path.Combine(request.ModelFolder, TokenizerComponent));
        var contract = Umt5EncoderContract.FromConfig(folder.Config());
        var session = folder.Open(request.Device, Umt5EncoderContract.GraphFile, new SessionSpec { OncePerRequest = true });
        try
        {
            session.RequireInputs(Umt5EncoderContract.InputIds, Umt5EncoderContract.AttentionMask);
            return new Umt5TextEncoderRunner(session, tokenizer, contract.DModel);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>[1, maxSequenceLength, Dim] embeddings of <paramref name="prompt"/>, zero after its tokens.</summary>
    public HostTensor Encode(string prompt, int maxSequenceLength)
    {
        var tokens = _tokenizer.Encode(prompt, maxSequenceLength);
        long[] shape = { 1, maxSequenceLength };
        using var ids = OrtValue.CreateTensorValueFromMemory(tokens.InputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(tokens.AttentionMask, shape);
        using var outputs = _session.RunAllocating(new[] { (Umt5EncoderContract.InputIds, ids), (Umt5EncoderContract.AttentionMask, mask) },
            new[] { Umt5EncoderContract.LastHiddenState }, OrtMemoryInfo.DefaultInstance);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        var result = new float[maxSequenceLength * Dim];
        hidden[..(tokens.Length * Dim)].CopyTo(result);
        return new HostTensor(result, new long[] { 1, maxSequenceLength, Dim });
    }

    public void Dispose() => _session.Dispose();
}
