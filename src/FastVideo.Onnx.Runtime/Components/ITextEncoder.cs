using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>The text encoding role: a prompt to the embeddings the denoiser is conditioned on.</summary>
public interface ITextEncoder : IDisposable
{
    /// <summary>[1, <paramref name="maxSequenceLength"/>, dim] embeddings of <paramref name="prompt"/>, as the family's pipeline feeds them.</summary>
    HostTensor Encode(string prompt, int maxSequenceLength);
}
