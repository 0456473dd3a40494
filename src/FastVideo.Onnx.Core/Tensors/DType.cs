using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Core.Tensors;

/// <summary>Element types of weights and graph values.</summary>
public enum DType
{
    Float32,
    Float16,
    BFloat16,
    Float64,
    Int64,
    Int32,
    Int16,
    Int8,
    UInt8,
    Bool,
}

internal static class DTypeInfo
{
    public static int Size(this DType t) => t switch
    {
        DType.Float64 or DType.Int64 => 8,
        DType.Float32 or DType.Int32 => 4,
        DType.Float16 or DType.BFloat16 or DType.Int16 => 2,
        _ => 1,
    };

    public static bool IsFloat(this DType t) => t is DType.Float32 or DType.Float16 or DType.BFloat16 or DType.Float64;

    /// <summary>The short names used by safetensors headers.</summary>
    public static string SafetensorsName(this DType t) => t switch
    {
        DType.Float32 => "F32",
        DType.Float16 => "F16",
        DType.BFloat16 => "BF16",
        DType.Float64 => "F64",
        DType.Int64 => "I64",
        DType.Int32 => "I32",
        DType.Int16 => "I16",
        DType.Int8 => "I8",
        DType.UInt8 => "U8",
        DType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static DType? FromSafetensorsName(string name) => name switch
    {
        "F32" => DType.Float32,
        "F16" => DType.Float16,
        "BF16" => DType.BFloat16,
        "F64" => DType.Float64,
        "I64" => DType.Int64,
        "I32" => DType.Int32,
        "I16" => DType.Int16,
        "I8" => DType.Int8,
        "U8" => DType.UInt8,
        "BOOL" => DType.Bool,
        _ => null,
    };

    /// <summary>The names users type: fp32, fp16, bf16 (and float32, float16, bfloat16).</summary>
    public static DType ParseFloat(string text, string field) => text.ToLowerInvariant() switch
    {
        "fp32" or "float32" or "f32" => DType.Float32,
        "fp16" or "float16" or "f16" or "half" => DType.Float16,
        "bf16" or "bfloat16" => DType.BFloat16,
        _ => throw new InvalidRequestException(field, $"unknown precision '{text}' (use fp32, fp16 or bf16)"),
    };

    public static string ShortName(this DType t) => t switch
    {
        DType.Float32 => "fp32",
        DType.Float16 => "fp16",
        DType.BFloat16 => "bf16",
        _ => t.ToString().ToLowerInvariant(),
    };
}
