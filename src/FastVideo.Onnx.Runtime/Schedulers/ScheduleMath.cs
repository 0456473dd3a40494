namespace FastVideo.Onnx.Runtime.Schedulers;

/// <summary>
/// The arithmetic Diffusers' schedulers rely on, reproduced with the same roundings: numpy's float64
/// <c>linspace</c>, and scalar functions of 0-dim float32 torch tensors (torch evaluates them in float32, so the
/// results here are computed accurately in double and rounded to float, as a correctly rounded libm would).
/// </summary>
static class ScheduleMath
{
    /// <summary><c>numpy.linspace(start, stop, num)</c> (endpoint included) with numpy's evaluation order.</summary>
    public static double[] Linspace(double start, double stop, int num)
    {
        var y = new double[num];
        int div = num - 1;
        double delta = stop - start;
        if (div > 0)
        {
            double step = delta / div;
            for (int i = 0; i < num; i++) y[i] = (step == 0 ? i / (double)div * delta : i * step) + start;
            y[num - 1] = stop;
        }
        else
        {
            for (int i = 0; i < num; i++) y[i] = i * delta + start;
        }
        return y;
    }

    /// <summary>The flow-matching time shift <c>s·σ / (1 + (s − 1)·σ)</c> on float64 values, as numpy evaluates it.</summary>
    public static void ShiftInPlace(double[] sigmas, double shift)
    {
        for (int i = 0; i < sigmas.Length; i++) sigmas[i] = shift * sigmas[i] / (1 + (shift - 1) * sigmas[i]);
    }

    /// <summary>Diffusers' <c>stretch_shift_to_terminal</c>: rescales 1 − σ so that the last σ equals <paramref name="terminal"/>.</summary>
    public static void StretchToTerminalInPlace(double[] sigmas, double terminal)
    {
        double scale = (1 - sigmas[^1]) / (1 - terminal);
        for (int i = 0; i < sigmas.Length; i++) sigmas[i] = 1 - (1 - sigmas[i]) / scale;
    }

    public static float Log(float x) => (float)Math.Log(x);

    public static float Expm1(float x) => (float)Expm1((double)x);

    /// <summary>e^x − 1 without the cancellation of <c>Math.Exp(x) - 1</c> near 0 (.NET has no expm1).</summary>
    public static double Expm1(double x)
    {
        if (double.IsNaN(x)) return x;
        if (Math.Abs(x) > 0.5) return Math.Exp(x) - 1.0;
        if (Math.Abs(x) < 1e-5) return x + x * x / 2 + x * x * x / 6;
        // Kahan's correction: the rounding error of exp(x) cancels in (u - 1) / log(u).
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        return (u - 1.0) * x / Math.Log(u);
    }

    /// <summary>
    /// Solves <paramref name="a"/>·x = <paramref name="b"/> in float32 the way LAPACK's sgesv does (LU with partial
    /// pivoting, then two triangular solves), which is what <c>torch.linalg.solve</c> runs for float32 on CPU.
    /// </summary>
    public static float[] Solve(float[,] a, float[] b)
    {
        int n = b.Length;
        var lu = (float[,])a.Clone();
        var x = (float[])b.Clone();
        for (int k = 0; k < n; k++)
        {
            int pivot = k;
            for (int i = k + 1; i < n; i++)
                if (Math.Abs(lu[i, k]) > Math.Abs(lu[pivot, k])) pivot = i;
            if (lu[pivot, k] == 0) throw new InvalidOperationException("singular system in the UniPC coefficients");
            if (pivot != k)
            {
                for (int j = 0; j < n; j++) (lu[k, j], lu[pivot, j]) = (lu[pivot, j], lu[k, j]);
                (x[k], x[pivot]) = (x[pivot], x[k]);
            }
            float reciprocal = 1f / lu[k, k];
            for (int i = k + 1; i < n; i++) lu[i, k] *= reciprocal;
            for (int j = k + 1; j < n; j++)
            for (int i = k + 1; i < n; i++)
                lu[i, j] -= lu[i, k] * lu[k, j];
        }
        for (int k = 0; k < n; k++)
        for (int i = k + 1; i < n; i++)
            x[i] -= x[k] * lu[i, k];
        for (int k = n - 1; k >= 0; k--)
        {
            x[k] /= lu[k, k];
            for (int i = 0; i < k; i++) x[i] -= x[k] * lu[i, k];
        }
        return x;
    }
}
