namespace FastVideo.Onnx.Tests.Support;

/// <summary>Frame-axis (axis 2) slicing and concatenation of [B, C, F, H, W] float32 host tensors.</summary>
public static class Frames
{
    public static (float[] Data, long[] Shape) Slice(float[] data, long[] shape, int start, int count)
    {
        long b = shape[0], c = shape[1], f = shape[2], plane = shape[3] * shape[4];
        var result = new float[b * c * count * plane];
        for (long bc = 0; bc < b * c; bc++)
            Array.Copy(data, (bc * f + start) * plane, result, bc * count * plane, count * plane);
        return (result, new[] { b, c, count, shape[3], shape[4] });
    }

    public static (float[] Data, long[] Shape) Concat(IReadOnlyList<(float[] Data, long[] Shape)> parts)
    {
        var s = parts[0].Shape;
        long b = s[0], c = s[1], plane = s[3] * s[4], f = parts.Sum(p => p.Shape[2]);
        var result = new float[b * c * f * plane];
        long offset = 0;
        foreach (var (data, shape) in parts)
        {
            for (long bc = 0; bc < b * c; bc++)
                Array.Copy(data, bc * shape[2] * plane, result, (bc * f + offset) * plane, shape[2] * plane);
            offset += shape[2];
        }
        return (result, new[] { b, c, f, s[3], s[4] });
    }
}
