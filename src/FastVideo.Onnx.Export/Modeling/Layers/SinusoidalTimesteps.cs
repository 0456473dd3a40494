using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Modeling.Layers;

/// <summary>
/// Diffusers' <c>Timesteps</c> projection (get_timestep_embedding): t * exp(-ln(max_period) * i / (half - shift)),
/// then [sin, cos] (or [cos, sin] with flip_sin_to_cos). Computed in float32 like torch.
/// </summary>
internal static class SinusoidalTimesteps
{
    /// <summary>The frequency vector, rounded to float32 exactly as torch computes it.</summary>
    public static float[] Frequencies(int channels, double downscaleFreqShift = 0, double maxPeriod = 10000)
    {
        int half = channels / 2;
        float logPeriod = (float)-Math.Log(maxPeriod);
        float denominator = (float)(half - downscaleFreqShift);
        var freqs = new float[half];
        for (int i = 0; i < half; i++)
        {
            float exponent = logPeriod * i / denominator;
            freqs[i] = (float)Math.Exp(exponent);
        }
        return freqs;
    }

    /// <summary>timesteps [B] (float32) to [B, channels] float32.</summary>
    public static T Forward<T>(ITensorOps<T> ops, T timesteps, int channels, bool flipSinToCos, double downscaleFreqShift = 0)
    {
        var freqs = Frequencies(channels, downscaleFreqShift);
        var args = ops.Mul(ops.Unsqueeze(ops.Cast(timesteps, DType.Float32), 1), ops.Constant(freqs, new long[] { 1, freqs.Length }, DType.Float32));
        var sin = ops.Sin(args);
        var cos = ops.Cos(args);
        return flipSinToCos ? ops.Concat(-1, cos, sin) : ops.Concat(-1, sin, cos);
    }
}
