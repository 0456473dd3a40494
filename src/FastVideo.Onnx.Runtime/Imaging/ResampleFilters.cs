namespace FastVideo.Onnx.Runtime.Imaging;

/// <summary>The filter kernels of PIL's libImaging/Resample.c (and PyTorch's antialiased kernels, which copy them), with their support radius.</summary>
internal static class ResampleFilters
{
    /// <summary>The filter for a PIL / transformers "resample" integer; 0 (nearest) and unknown values are refused.</summary>
    public static ResampleFilter FromPil(int resample) => resample switch
    {
        1 => ResampleFilter.Lanczos,
        2 => ResampleFilter.Bilinear,
        3 => ResampleFilter.Bicubic,
        4 => ResampleFilter.Box,
        5 => ResampleFilter.Hamming,
        0 => throw new NotSupportedException("resample 0 (nearest) is not supported"),
        _ => throw new NotSupportedException($"resample {resample} is not a PIL filter (0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming)"),
    };

    public static double Support(ResampleFilter filter) => filter switch
    {
        ResampleFilter.Box => 0.5,
        ResampleFilter.Bilinear => 1.0,
        ResampleFilter.Hamming => 1.0,
        ResampleFilter.Bicubic => 2.0,
        ResampleFilter.Lanczos => 3.0,
        _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, null),
    };

    /// <summary>The kernel at <paramref name="x"/>; each expression is written in the order Pillow evaluates it so that doubles round alike.</summary>
    public static double Evaluate(ResampleFilter filter, double x) => filter switch
    {
        ResampleFilter.Box => x > -0.5 && x <= 0.5 ? 1.0 : 0.0,
        ResampleFilter.Bilinear => Triangle(x),
        ResampleFilter.Hamming => Hamming(x),
        ResampleFilter.Bicubic => Bicubic(x),
        ResampleFilter.Lanczos => Lanczos(x),
        _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, null),
    };

    /// <summary>
    /// The kernel as PyTorch's antialiased interpolate evaluates it (UpSampleKernel.cpp, aa_filter): the same
    /// functions, but its cubic's outer branch is written <c>((a x - 5a) x + 8a) x - 4a</c>, which can round differently.
    /// </summary>
    public static double EvaluateTorch(ResampleFilter filter, double x)
    {
        if (filter == ResampleFilter.Bilinear) return Triangle(x);
        if (filter != ResampleFilter.Bicubic) throw new NotSupportedException($"PyTorch's antialiased interpolate has no {filter} filter (bilinear and bicubic only)");
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1.0) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2.0) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        return 0.0;
    }

    static double Triangle(double x)
    {
        if (x < 0.0) x = -x;
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    static double Hamming(double x)
    {
        if (x < 0.0) x = -x;
        if (x == 0.0) return 1.0;
        if (x >= 1.0) return 0.0;
        x *= Math.PI;
        return Math.Sin(x) / x * (0.54 + 0.46 * Math.Cos(x));
    }

    /// <summary>Keys' cubic convolution with a = -0.5, PIL's choice (and PyTorch's when antialiasing; its plain bicubic uses -0.75).</summary>
    static double Bicubic(double x)
    {
        const double a = -0.5;
        if (x < 0.0) x = -x;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    static double Sinc(double x)
    {
        if (x == 0.0) return 1.0;
        x *= Math.PI;
        return Math.Sin(x) / x;
    }

    /// <summary>Sinc windowed by a three-lobe sinc.</summary>
    static double Lanczos(double x) => -3.0 <= x && x < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0;
}
