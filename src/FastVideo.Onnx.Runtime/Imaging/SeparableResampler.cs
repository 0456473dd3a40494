namespace FastVideo.Onnx.Runtime.Imaging;

/// <summary>
/// PIL's 8-bit resize, reimplemented so that Python's preprocessing can be reproduced bit for bit: for each output
/// pixel, a filter centred on it in input coordinates, widened by the downscale factor (antialiasing), its weights
/// normalised to sum 1 and turned into fixed point; rows are resampled first into a uint8 image (rounded and clipped
/// like PIL), then columns. <see cref="ResampleArithmetic"/> picks Pillow's or PyTorch's fixed-point precision.
/// </summary>
internal static class SeparableResampler
{
    /// <summary>Pillow's PRECISION_BITS for 8-bit images (32 - 8 - 2).</summary>
    const int PillowPrecisionBits = 22;

    /// <summary>The weights of one axis: output i reads inputs Start[i] .. Start[i] + Count[i] - 1 with Weights[i * KernelSize + j].</summary>
    sealed record AxisWeights(int[] Start, int[] Count, int[] Weights, int KernelSize, int PrecisionBits);

    /// <summary>Resizes to <paramref name="width"/> x <paramref name="height"/> (PIL's <c>image.resize((width, height), filter)</c> for <see cref="ResampleArithmetic.Pillow"/>).</summary>
    public static RgbImage Resize(RgbImage image, int width, int height, ResampleFilter filter, ResampleArithmetic arithmetic = ResampleArithmetic.Pillow)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"target size {width}x{height} must be positive");
        if (arithmetic == ResampleArithmetic.TorchUint8 && filter is not (ResampleFilter.Bilinear or ResampleFilter.Bicubic))
            throw new NotSupportedException($"PyTorch's antialiased interpolate has no {filter} filter (bilinear and bicubic only)");

        // Both libraries skip an axis whose size does not change (the identity filter would give the same bytes).
        var current = image;
        if (width != image.Width)
            current = ResampleRows(current, Weights(image.Width, width, filter, arithmetic));
        if (height != image.Height)
            current = ResampleColumns(current, Weights(image.Height, height, filter, arithmetic));
        return ReferenceEquals(current, image) ? new RgbImage(image.Width, image.Height, (byte[])image.Pixels.Clone()) : current;
    }

    /// <summary>precompute_coeffs of Resample.c (PyTorch's _compute_weights_aa is the same computation), then the fixed-point conversion.</summary>
    static AxisWeights Weights(int inSize, int outSize, ResampleFilter filter, ResampleArithmetic arithmetic)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = ResampleFilters.Support(filter) * filterScale;
        int kernelSize = (int)Math.Ceiling(support) * 2 + 1;
        double inverseFilterScale = 1.0 / filterScale;

        var start = new int[outSize];
        var count = new int[outSize];
        var real = new double[outSize * kernelSize];
        double largest = 0;
        for (int i = 0; i < outSize; i++)
        {
            double center = (i + 0.5) * scale;
            // (int) truncates toward zero like the C casts; negative starts are clamped right after.
            int first = Math.Max((int)(center - support + 0.5), 0);
            int n = Math.Clamp(Math.Min((int)(center + support + 0.5), inSize) - first, 0, kernelSize);
            double total = 0;
            for (int j = 0; j < n; j++)
            {
                double argument = (j + first - center + 0.5) * inverseFilterScale;
                double w = arithmetic == ResampleArithmetic.Pillow
                    ? ResampleFilters.Evaluate(filter, argument)
                    : ResampleFilters.EvaluateTorch(filter, argument);
                real[i * kernelSize + j] = w;
                total += w;
            }
            if (total != 0.0)
            {
                for (int j = 0; j < n; j++)
                {
                    real[i * kernelSize + j] /= total;
                    largest = Math.Max(largest, real[i * kernelSize + j]);
                }
            }
            start[i] = first;
            count[i] = n;
        }

        int bits = arithmetic == ResampleArithmetic.Pillow ? PillowPrecisionBits : TorchPrecisionBits(largest);
        var fixedPoint = new int[real.Length];
        double one = 1 << bits;
        for (int k = 0; k < real.Length; k++)
        {
            double v = real[k] * one;
            fixedPoint[k] = v < 0 ? (int)(-0.5 + v) : (int)(0.5 + v);
        }
        return new AxisWeights(start, count, fixedPoint, kernelSize, bits);
    }

    /// <summary>PyTorch's _compute_index_ranges_int16_weights: the most fractional bits (at most 22) that keep the largest weight an int16.</summary>
    static int TorchPrecisionBits(double largestWeight)
    {
        int bits;
        for (bits = 0; bits < 22; bits++)
        {
            int next = (int)(0.5 + largestWeight * (1 << (bits + 1)));
            if (next >= 1 << 15) break;
        }
        return bits;
    }

    /// <summary>Sum in int32 from a rounding half, then shift and clip to a byte: Pillow's clip8 and PyTorch's pack-with-saturation agree.</summary>
    static byte Clip(int accumulator, int bits) => (byte)Math.Clamp(accumulator >> bits, 0, 255);

    static RgbImage ResampleRows(RgbImage image, AxisWeights axis)
    {
        int inW = image.Width, h = image.Height, outW = axis.Start.Length;
        var src = image.Pixels;
        var dst = new byte[outW * h * 3];
        int half = 1 << (axis.PrecisionBits - 1);
        for (int y = 0; y < h; y++)
        {
            int row = y * inW * 3;
            for (int x = 0; x < outW; x++)
            {
                int r = half, g = half, b = half;
                int first = axis.Start[x], weights = x * axis.KernelSize;
                for (int j = 0; j < axis.Count[x]; j++)
                {
                    int w = axis.Weights[weights + j];
                    int p = row + (first + j) * 3;
                    r += src[p] * w;
                    g += src[p + 1] * w;
                    b += src[p + 2] * w;
                }
                int o = (y * outW + x) * 3;
                dst[o] = Clip(r, axis.PrecisionBits);
                dst[o + 1] = Clip(g, axis.PrecisionBits);
                dst[o + 2] = Clip(b, axis.PrecisionBits);
            }
        }
        return new RgbImage(outW, h, dst);
    }

    static RgbImage ResampleColumns(RgbImage image, AxisWeights axis)
    {
        int w = image.Width, outH = axis.Start.Length, rowBytes = w * 3;
        var src = image.Pixels;
        var dst = new byte[rowBytes * outH];
        int half = 1 << (axis.PrecisionBits - 1);
        var accumulator = new int[rowBytes];
        for (int y = 0; y < outH; y++)
        {
            Array.Fill(accumulator, half);
            int first = axis.Start[y], weights = y * axis.KernelSize;
            for (int j = 0; j < axis.Count[y]; j++)
            {
                int weight = axis.Weights[weights + j];
                int row = (first + j) * rowBytes;
                for (int c = 0; c < rowBytes; c++) accumulator[c] += src[row + c] * weight;
            }
            int o = y * rowBytes;
            for (int c = 0; c < rowBytes; c++) dst[o + c] = Clip(accumulator[c], axis.PrecisionBits);
        }
        return new RgbImage(w, outH, dst);
    }
}
