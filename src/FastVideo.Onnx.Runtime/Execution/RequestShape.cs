namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>The sizes of one request that its memory depends on (after the sampling defaults were applied).</summary>
internal sealed record RequestShape(int Height, int Width, int NumFrames, bool Guidance, int TextLength)
{
    public override string ToString() => $"{Width}x{Height}, {NumFrames} frames";
}
