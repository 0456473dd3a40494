using System.Runtime.InteropServices;

namespace FastVideo.Onnx.Core.Tensors;

/// <summary>
/// Element conversions between the floating-point storage types, bit-exact with torch's casts
/// (round to nearest even; NaN stays NaN).
/// </summary>
internal static class FloatConversion
{
    public static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    public static ushort SingleToBFloat16(float value)
    {
        uint bits = (uint)BitConverter.SingleToInt32Bits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) return (ushort)((bits >> 16) | 0x40); // quiet NaN
        uint rounding = 0x7fff + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    public static float HalfToSingle(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    public static ushort SingleToHalf(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>Decodes <paramref name="source"/> (elements of <paramref name="type"/>) into float32.</summary>
    public static void ToSingle(ReadOnlySpan<byte> source, DType type, Span<float> destination)
    {
        switch (type)
        {
            case DType.Float32:
                MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                break;
            case DType.Float16:
            {
                var s = MemoryMarshal.Cast<byte, ushort>(source);
                for (int i = 0; i < s.Length; i++) destination[i] = HalfToSingle(s[i]);
                break;
            }
            case DType.BFloat16:
            {
                var s = MemoryMarshal.Cast<byte, ushort>(source);
                for (int i = 0; i < s.Length; i++) destination[i] = BFloat16ToSingle(s[i]);
                break;
            }
            case DType.Float64:
            {
                var s = MemoryMarshal.Cast<byte, double>(source);
                for (int i = 0; i < s.Length; i++) destination[i] = (float)s[i];
                break;
            }
            default:
                throw new NotSupportedException($"cannot read {type} as floating point");
        }
    }

    /// <summary>Encodes float32 values as <paramref name="type"/> elements.</summary>
    public static void FromSingle(ReadOnlySpan<float> source, DType type, Span<byte> destination)
    {
        switch (type)
        {
            case DType.Float32:
                MemoryMarshal.Cast<float, byte>(source).CopyTo(destination);
                break;
            case DType.Float16:
            {
                var d = MemoryMarshal.Cast<byte, ushort>(destination);
                for (int i = 0; i < source.Length; i++) d[i] = SingleToHalf(source[i]);
                break;
            }
            case DType.BFloat16:
            {
                var d = MemoryMarshal.Cast<byte, ushort>(destination);
                for (int i = 0; i < source.Length; i++) d[i] = SingleToBFloat16(source[i]);
                break;
            }
            case DType.Float64:
            {
                var d = MemoryMarshal.Cast<byte, double>(destination);
                for (int i = 0; i < source.Length; i++) d[i] = source[i];
                break;
            }
            default:
                throw new NotSupportedException($"cannot write floating point as {type}");
        }
    }

    /// <summary>
    /// Converts between floating-point storage types. Same type: a copy. Every conversion goes through float32,
    /// which holds fp16 and bf16 values exactly, so each element is rounded once.
    /// </summary>
    public static void Convert(ReadOnlySpan<byte> source, DType from, Span<byte> destination, DType to)
    {
        if (from == to)
        {
            source.CopyTo(destination);
            return;
        }
        const int block = 4096;
        Span<float> tmp = stackalloc float[block];
        int n = source.Length / from.Size();
        for (int start = 0; start < n; start += block)
        {
            int count = Math.Min(block, n - start);
            ToSingle(source.Slice(start * from.Size(), count * from.Size()), from, tmp[..count]);
            FromSingle(tmp[..count], to, destination.Slice(start * to.Size(), count * to.Size()));
        }
    }
}
