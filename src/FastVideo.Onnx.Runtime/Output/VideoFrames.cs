using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Output;

/// <summary>Decoded video as Diffusers' output_type "np" gives it: float32 [1, F, H, W, 3] in [0, 1].</summary>
public sealed class VideoFrames
{
    /// <summary>The frames as float32 [1, F, H, W, 3] in [0, 1].</summary>
    public HostTensor Tensor { get; }
    /// <summary>Number of frames.</summary>
    public int Frames => (int)Tensor.Shape[1];
    /// <summary>Frame height in pixels.</summary>
    public int Height => (int)Tensor.Shape[2];
    /// <summary>Frame width in pixels.</summary>
    public int Width => (int)Tensor.Shape[3];

    /// <summary>Wraps a [1, F, H, W, 3] tensor.</summary>
    public VideoFrames(HostTensor tensor)
    {
        if (tensor.Shape.Length != 5 || tensor.Shape[0] != 1 || tensor.Shape[4] != 3)
            throw new ArgumentException($"video must be [1, F, H, W, 3], got {tensor.ShapeText}");
        Tensor = tensor;
    }

    /// <summary>Frame <paramref name="index"/> as packed RGB bytes (value·255, rounded, clamped).</summary>
    public byte[] Rgb24(int index)
    {
        int n = Height * Width * 3;
        var bytes = new byte[n];
        var src = Tensor.Data.AsSpan(index * n, n);
        for (int i = 0; i < n; i++) bytes[i] = (byte)Math.Clamp(MathF.Round(src[i] * 255f), 0, 255);
        return bytes;
    }
}
