using FastVideo.Onnx.Core.Contracts.Umt5;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Tokenizers;
using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Runtime.Components.Umt5;

/// <summary>
/// A converted T5-family encoder (UMT5 and T5 v1.1 share the graph signature of <see cref="Umt5EncoderContract"/>) with
/// the model folder's <c>tokenizer</c> component. The runners differ only in how they tokenize, mask and trim; opening
/// the graph and running it is this one piece.
/// </summary>
internal sealed class T5EncoderSession : IDisposable
{
    public const string TokenizerComponent = "tokenizer";

    readonly GraphSession _session;

    public T5PromptTokenizer Tokenizer { get; }
    public int Dim { get; }
    public TimeSpan CreationTime => _session.CreationTime;

    T5EncoderSession(GraphSession session, T5PromptTokenizer tokenizer, int dim)
    {
        _session = session;
        Tokenizer = tokenizer;
        Dim = dim;
    }

    public static T5EncoderSession Open(ComponentRequest request)
    {
        var folder = ComponentFolder.Open(request.ModelFolder, request.Component);
        var tokenizer = T5PromptTokenizer.FromFolder(Path.Combine(request.ModelFolder, TokenizerComponent));
        var contract = Umt5EncoderContract.FromConfig(folder.Config());
        var session = folder.OpenRequiring(request.Device, Umt5EncoderContract.GraphFile, new SessionSpec { OncePerRequest = true },
            Umt5EncoderContract.InputIds, Umt5EncoderContract.AttentionMask);
        return new T5EncoderSession(session, tokenizer, contract.DModel);
    }

    /// <summary>The encoder's last hidden state [1, L, Dim] for token ids and attention mask of length L.</summary>
    public float[] Run(long[] inputIds, long[] attentionMask)
    {
        long[] shape = { 1, inputIds.Length };
        using var ids = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(attentionMask, shape);
        using var outputs = _session.RunAllocating(new[] { (Umt5EncoderContract.InputIds, ids), (Umt5EncoderContract.AttentionMask, mask) },
            new[] { Umt5EncoderContract.LastHiddenState }, OrtMemoryInfo.DefaultInstance);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose() => _session.Dispose();
}
