namespace FastVideo.Onnx.Runtime.Imaging;

/// <summary>A float32 tensor on the host, row-major, as image preprocessing hands it to a model: [1, 3, H, W].</summary>
public sealed record ImageTensor(float[] Data, long[] Shape)
{
    public int Height => (int)Shape[^2];
    public int Width => (int)Shape[^1];
}
