using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Core.Contracts.Wan;

/// <summary>
/// The per-channel latent statistics of a Wan2.1 VAE (<c>latents_mean</c>, <c>latents_std</c> of its config.json) and the
/// two transforms the Diffusers Wan pipelines apply with them, in one place for the converter and the runtime:
/// <list type="bullet">
/// <item>before decoding: <c>z = latents / (1/std) + mean</c> (<see cref="Denormalize"/>);</item>
/// <item>after encoding (image-to-video conditioning): <c>latents = (mean_posterior - mean) * (1/std)</c> (<see cref="Normalize"/>).</item>
/// </list>
/// Both use float32 arithmetic in the order Diffusers uses (it divides by the float32 reciprocal of std rather than
/// multiplying by std), so the results are bit-for-bit those of the pipelines. Tensors are laid out [B, C, F, H, W].
/// </summary>
public sealed class WanVaeNormalization
{
    /// <summary>Diffusers' defaults for AutoencoderKLWan, used when config.json omits the fields (as Diffusers does).</summary>
    static readonly double[] DefaultMean =
    {
        -0.7571, -0.7089, -0.9113, 0.1075, -0.1745, 0.9653, -0.1517, 1.5508,
        0.4134, -0.0715, 0.5517, -0.3632, -0.1922, -0.9497, 0.2503, -0.2921,
    };

    static readonly double[] DefaultStd =
    {
        2.8184, 1.4541, 2.3275, 2.6558, 1.2196, 1.7708, 2.6052, 2.0743,
        3.2687, 2.1526, 2.8652, 1.5579, 1.6382, 1.1253, 2.8251, 1.9160,
    };

    readonly float[] _mean;
    readonly float[] _inverseStd;

    /// <summary>Latent channels (the VAE's <c>z_dim</c>).</summary>
    public int Channels => _mean.Length;

    /// <summary><c>latents_mean</c> as float32 (what <c>torch.tensor(config.latents_mean)</c> holds).</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary><c>1 / latents_std</c> computed in float32, the tensor the pipelines call <c>latents_std</c>.</summary>
    public IReadOnlyList<float> InverseStd => _inverseStd;

    public WanVaeNormalization(IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        if (mean.Count != std.Count) throw new ArgumentException($"{mean.Count} means but {std.Count} standard deviations");
        _mean = mean.Select(m => (float)m).ToArray();
        // Diffusers: latents_std = 1.0 / torch.tensor(std) -- a float32 tensor divided in float32.
        _inverseStd = std.Select(s => 1f / (float)s).ToArray();
    }

    /// <summary>Reads the statistics from a vae config.json; a wrong length or a non-positive std names the file and field.</summary>
    public static WanVaeNormalization FromConfig(JsonConfig config)
    {
        int zDim = config.GetInt("z_dim", 16);
        var mean = config.GetDoubleArray("latents_mean", DefaultMean);
        var std = config.GetDoubleArray("latents_std", DefaultStd);
        if (mean.Length != zDim)
            throw new ModelFormatException(config.Path, $"field 'latents_mean' has {mean.Length} values but z_dim is {zDim}");
        if (std.Length != zDim)
            throw new ModelFormatException(config.Path, $"field 'latents_std' has {std.Length} values but z_dim is {zDim}");
        if (std.Any(s => !(s > 0) || double.IsInfinity(s)))
            throw new ModelFormatException(config.Path, "field 'latents_std' must hold positive finite numbers");
        return new WanVaeNormalization(mean, std);
    }

    /// <summary>Reads <c>config.json</c> of a vae component folder.</summary>
    public static WanVaeNormalization Load(string vaeFolder) => FromConfig(JsonConfig.Load(Path.Combine(vaeFolder, "config.json")));

    /// <summary>Denoiser latents to VAE latents, in place: <c>x / (1/std) + mean</c> per channel (before decoding).</summary>
    public void Denormalize(Span<float> latents, ReadOnlySpan<long> shape)
    {
        long plane = PlaneSize(latents.Length, shape);
        for (int i = 0; i < latents.Length; i++)
        {
            int c = (int)(i / plane % Channels);
            latents[i] = latents[i] / _inverseStd[c] + _mean[c];
        }
    }

    /// <summary>VAE posterior means to denoiser latents, in place: <c>(x - mean) * (1/std)</c> per channel (after encoding).</summary>
    public void Normalize(Span<float> latents, ReadOnlySpan<long> shape)
    {
        long plane = PlaneSize(latents.Length, shape);
        for (int i = 0; i < latents.Length; i++)
        {
            int c = (int)(i / plane % Channels);
            latents[i] = (latents[i] - _mean[c]) * _inverseStd[c];
        }
    }

    /// <summary>Elements per channel and batch item of a [B, C, ...] tensor, after checking the shape.</summary>
    long PlaneSize(int length, ReadOnlySpan<long> shape)
    {
        if (shape.Length < 2 || shape[1] != Channels)
            throw new ArgumentException($"latents of shape [{string.Join(", ", shape.ToArray())}] do not have {Channels} channels on axis 1");
        long count = 1;
        foreach (var d in shape) count *= d;
        if (count != length) throw new ArgumentException($"shape [{string.Join(", ", shape.ToArray())}] does not hold {length} elements");
        long plane = 1;
        for (int i = 2; i < shape.Length; i++) plane *= shape[i];
        return plane;
    }
}
