using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// Diffusers' LTXVideoRotaryPosEmbed for the packed latent grid (T, H, W): each token's (frame, row, column) scaled
/// by <c>rope_interpolation_scale</c> x patch size / base size (20 frames, 2048 x 2048), then per frequency
/// <c>f_i = theta^(i / (n-1)) x pi/2</c> (n = dim // 6) and per axis an angle <c>f_i (2 coord - 1)</c>, ordered frequency-major
/// with the three axes inner; the first <c>dim % 6</c> channels are not rotated (cos 1, sin 0). Returns half tables
/// [S, dim/2] (one angle per channel pair) for the interleaved rotation. Float32, as Diffusers computes it.
/// </summary>
internal sealed class LtxRotaryPosEmbed : Module
{
    public const int BaseNumFrames = 20;
    public const int BaseHeight = 2048;
    public const int BaseWidth = 2048;
    public const double Theta = 10000.0;

    readonly int _dim;
    readonly int _patchSize;
    readonly int _patchSizeT;

    public LtxRotaryPosEmbed(int dim, int patchSize, int patchSizeT)
    {
        _dim = dim;
        _patchSize = patchSize;
        _patchSizeT = patchSizeT;
    }

    /// <summary>
    /// theta ** linspace(0, 1, n) x pi / 2 in float32: torch's linspace steps from both ends towards the middle, pow and
    /// the two scalings each round to float32.
    /// </summary>
    public static float[] Frequencies(int count)
    {
        var freqs = new float[count];
        float step = count > 1 ? 1f / (count - 1) : 0f;
        for (int i = 0; i < count; i++)
        {
            float exponent = i < count / 2 ? step * i : 1f - step * (count - 1 - i);
            float f = MathF.Pow((float)Theta, exponent);
            freqs[i] = f * (float)Math.PI / 2f;
        }
        return freqs;
    }

    /// <param name="frames">int64 [1]: latent frames T</param>
    /// <param name="height">int64 [1]: latent rows H</param>
    /// <param name="width">int64 [1]: latent columns W</param>
    /// <param name="scale">float32 [3]: rope_interpolation_scale (temporal, height, width)</param>
    /// <returns>cos and sin, float32 [T·H·W, dim/2]</returns>
    public (T Cos, T Sin) Forward<T>(ITensorOps<T> ops, T frames, T height, T width, T scale)
    {
        using var _ = Enter(ops);
        int n = _dim / 6;
        var f32 = DType.Float32;
        var ones = ops.Int64s(1);
        // coordinates along each axis, scaled as _prepare_video_coords does (three float32 steps each)
        T Axis(T length, int index, int patch, int baseSize) =>
            ops.Div(ops.Mul(ops.Mul(ops.Cast(ops.Range(length), f32), ops.Slice(scale, 0, index, index + 1)), ops.Scalar(patch, f32)),
                ops.Scalar(baseSize, f32));
        var t = ops.Reshape(Axis(frames, 0, _patchSizeT, BaseNumFrames), ops.Concat(0, frames, ones, ones));
        var h = ops.Reshape(Axis(height, 1, _patchSize, BaseHeight), ops.Concat(0, ones, height, ones));
        var w = ops.Reshape(Axis(width, 2, _patchSize, BaseWidth), ops.Concat(0, ones, ones, width));
        var grid = ops.Concat(0, frames, height, width);
        T Flat(T axis) => ops.Reshape(ops.Expand(axis, grid), -1, 1, 1);
        // [S, 1, 3]: the token's (t, h, w) in the packing order (frame-major, then rows, then columns)
        var coords = ops.Concat(2, Flat(t), Flat(h), Flat(w));
        var centered = ops.Sub(ops.Mul(coords, ops.Scalar(2, f32)), ops.Scalar(1, f32));
        var freqs = Frequencies(n);
        // [S, n, 3] -> [S, 3n]: frequency-major, axes inner
        var angles = ops.Reshape(ops.Mul(ops.Constant(freqs, new long[] { 1, n, 1 }, f32), centered), 0, -1);
        int padPairs = (_dim % 6) / 2;
        if (padPairs > 0)
        {
            // unrotated leading channels: angle 0 gives cos 1 and sin 0 exactly
            var zeros = ops.Mul(ops.Slice(angles, 1, 0, padPairs), ops.Scalar(0, f32));
            angles = ops.Concat(1, zeros, angles);
        }
        return (ops.Cos(angles), ops.Sin(angles));
    }
}
