namespace FastVideo.Onnx.Runtime.Noise;

/// <summary>
/// The float32 logarithm, sine and cosine that torch's AVX2 normal kernel uses (<c>log256_ps</c> and
/// <c>sincos256_ps</c> of avx_mathfun.h: Cephes' single-precision range reduction and polynomials), evaluated one
/// lane at a time. They differ from correctly rounded results by an ulp or two, so exact reproduction of
/// <c>torch.randn</c> needs them; the fused multiply-adds are where GCC contracts the kernel's separate multiply and
/// add intrinsics (the results then match torch bit for bit).
/// </summary>
static class TorchAvx2Math
{
    const float SqrtHalf = 0.707106781186547524f;

    /// <summary>Natural logarithm for positive normal inputs (the kernel only sees 1 − u with u in [0, 1)).</summary>
    public static float Log(float value)
    {
        // value = m · 2^k with m in [0.5, 1); for m below √½ use 2m − 1 and k − 1 so the argument stays near 0.
        int bits = BitConverter.SingleToInt32Bits(value);
        float exponent = ((bits >> 23) & 0xff) - 0x7f + 1;
        float x = BitConverter.Int32BitsToSingle((bits & ~0x7f800000) | 0x3f000000);
        float low = 0f;
        if (x < SqrtHalf)
        {
            low = x;
            exponent -= 1f;
        }
        x = x - 1f + low;

        float z = x * x;
        float y = 7.0376836292E-2f;
        y = MathF.FusedMultiplyAdd(y, x, -1.1514610310E-1f);
        y = MathF.FusedMultiplyAdd(y, x, 1.1676998740E-1f);
        y = MathF.FusedMultiplyAdd(y, x, -1.2420140846E-1f);
        y = MathF.FusedMultiplyAdd(y, x, 1.4249322787E-1f);
        y = MathF.FusedMultiplyAdd(y, x, -1.6668057665E-1f);
        y = MathF.FusedMultiplyAdd(y, x, 2.0000714765E-1f);
        y = MathF.FusedMultiplyAdd(y, x, -2.4999993993E-1f);
        y = MathF.FusedMultiplyAdd(y, x, 3.3333331174E-1f);
        y *= x;
        // ln 2 split in two parts (q1 + q2) so that k · q2 is exact.
        y = MathF.FusedMultiplyAdd(y, z, exponent * -2.12194440e-4f);
        y = MathF.FusedMultiplyAdd(z, -0.5f, y);
        return MathF.FusedMultiplyAdd(exponent, 0.693359375f, x + y);
    }

    /// <summary>Sine and cosine of one angle, with Cephes' reduction modulo π/4 in three exact-ish parts.</summary>
    public static (float Sin, float Cos) SinCos(float angle)
    {
        bool negative = angle < 0;
        float x = Math.Abs(angle);
        int octant = (int)(x * 1.27323954473516f); // 4/π
        octant = (octant + 1) & ~1;
        float y = octant;
        x = MathF.FusedMultiplyAdd(y, -0.78515625f, x);
        x = MathF.FusedMultiplyAdd(y, -2.4187564849853515625e-4f, x);
        x = MathF.FusedMultiplyAdd(y, -3.77489497744594108e-8f, x);

        bool sinNegative = negative ^ ((octant & 4) != 0);
        bool cosNegative = (~(octant - 2) & 4) != 0;
        bool sinFromSinPolynomial = (octant & 2) == 0;

        float z = x * x;
        float cosPoly = 2.443315711809948E-005f;
        cosPoly = MathF.FusedMultiplyAdd(cosPoly, z, -1.388731625493765E-003f);
        cosPoly = MathF.FusedMultiplyAdd(cosPoly, z, 4.166664568298827E-002f);
        cosPoly = MathF.FusedMultiplyAdd(cosPoly * z, z, -(z * 0.5f));
        cosPoly += 1f;

        float sinPoly = -1.9515295891E-4f;
        sinPoly = MathF.FusedMultiplyAdd(sinPoly, z, 8.3321608736E-3f);
        sinPoly = MathF.FusedMultiplyAdd(sinPoly, z, -1.6666654611E-1f);
        sinPoly = MathF.FusedMultiplyAdd(sinPoly * z, x, x);

        float sin = sinFromSinPolynomial ? sinPoly : cosPoly;
        float cos = sinFromSinPolynomial ? cosPoly : sinPoly;
        return (sinNegative ? -sin : sin, cosNegative ? -cos : cos);
    }
}
