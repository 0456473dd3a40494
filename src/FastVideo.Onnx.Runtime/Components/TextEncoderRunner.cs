using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Tensors;
using FastVideo.Onnx.Runtime.Tokenizers;
using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>
/// Prompt to embeddings as Diffusers' Wan pipelines compute them: T5 tokenization padded to max_sequence_length, the
/// UMT5 encoder, then the output trimmed to the prompt's real tokens and zero-padded back to max_sequence_length.
/// </summary>
public sealed class TextEncoderRunner : IDisposable
{
    public const string ComponentName = "text_encoder";
    const string GraphFile = "model.onnx";

    readonly GraphSession _session;
    readonly T5PromptTokenizer _tokenizer;

    public int Dim { get; }
    public TimeSpan CreationTime => _session.CreationTime;

    TextEncoderRunner(GraphSession session, T5PromptTokenizer tokenizer, int dim)
    {
        _session = session;
        _tokenizer = tokenizer;
        Dim = dim;
        _session.RequireInputs("input_ids", "attention_mask");
    }

    public static TextEncoderRunner Open(string modelFolder, ExecutionDevice device, string tokenizerComponent = "tokenizer")
    {
        var folder = ComponentFolder.Open(modelFolder, ComponentName);
        var tokenizer = T5PromptTokenizer.FromFolder(Path.Combine(modelFolder, tokenizerComponent));
        int dim = folder.Config().GetInt("d_model");
        return new TextEncoderRunner(folder.Open(device, GraphFile, oncePerRequest: true), tokenizer, dim);
    }

    /// <summary>[1, maxSequenceLength, Dim] embeddings of <paramref name="prompt"/>, zero after its tokens.</summary>
    public HostTensor Encode(string prompt, int maxSequenceLength)
    {
        var tokens = _tokenizer.Encode(prompt, maxSequenceLength);
        long[] shape = { 1, maxSequenceLength };
        using var ids = OrtValue.CreateTensorValueFromMemory(tokens.InputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(tokens.AttentionMask, shape);
        using var outputs = _session.RunAllocating(new[] { ("input_ids", ids), ("attention_mask", mask) }, new[] { "last_hidden_state" },
            OrtMemoryInfo.DefaultInstance);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        var result = new float[maxSequenceLength * Dim];
        hidden[..(tokens.Length * Dim)].CopyTo(result);
        return new HostTensor(result, new long[] { 1, maxSequenceLength, Dim });
    }

    public void Dispose() => _session.Dispose();
}
