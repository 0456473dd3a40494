using System.Text.Json;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Core.Models;

/// <summary>Checks of the values in a converted folder's manifests, each failing with a one-line error naming the file and field.</summary>
static class ManifestValues
{
    /// <summary>The element types a manifest's signatures name (ONNX's, lower-cased, with float32/float16/bfloat16/float64 spelled out).</summary>
    static readonly HashSet<string> SignatureTypes = new(StringComparer.Ordinal)
    {
        "float32", "float16", "bfloat16", "float64", "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8", "bool", "string",
    };

    /// <summary>A field the record declares non-null but the file left out (the serializer leaves it null).</summary>
    public static void RequirePresent(string path, string field, object? value)
    {
        if (value is null) throw new ModelFormatException(path, $"field '{field}' is missing");
    }

    /// <summary>Precisions are written with <see cref="DTypeInfo.ShortName"/>: fp32, fp16 or bf16.</summary>
    public static void RequirePrecision(string path, string field, string precision)
    {
        if (precision is not ("fp32" or "fp16" or "bf16"))
            throw new ModelFormatException(path, $"field '{field}' is '{JsonText.Printable(precision)}', not a known precision (fp32, fp16 or bf16)");
    }

    /// <summary>Graph and data files live in the component's folder: a plain file name.</summary>
    public static void RequireFileName(string path, string field, string file)
    {
        if (file.Length == 0 || file is "." or ".." || file.IndexOfAny(new[] { '/', '\\', ':' }) >= 0 || file.Any(char.IsControl))
            throw new ModelFormatException(path, $"field '{field}' is '{JsonText.Printable(file)}', not a file name inside the component folder");
    }

    public static void RequireSignatures(string path, string field, IReadOnlyList<TensorSignature> signatures)
    {
        for (int i = 0; i < signatures.Count; i++)
        {
            var s = signatures[i];
            string at = $"{field}[{i}]";
            if (s is null) throw new ModelFormatException(path, $"field '{at}' is null");
            RequirePresent(path, $"{at}.name", s.Name);
            RequirePresent(path, $"{at}.dtype", s.DType);
            RequirePresent(path, $"{at}.shape", s.Shape);
            if (s.Name.Length == 0) throw new ModelFormatException(path, $"field '{at}.name' is empty");
            if (!SignatureTypes.Contains(s.DType))
                throw new ModelFormatException(path, $"field '{at}.dtype' is '{JsonText.Printable(s.DType)}', not a known element type ({string.Join(", ", SignatureTypes)})");
            for (int d = 0; d < s.Shape.Count; d++)
            {
                var dim = s.Shape[d];
                bool valid = dim.ValueKind == JsonValueKind.String ? dim.GetString()!.Length > 0
                    : dim.ValueKind == JsonValueKind.Number && dim.TryGetInt64(out long n) && n >= 0;
                if (!valid)
                    throw new ModelFormatException(path, $"field '{at}.shape[{d}]' is {JsonText.Printable(dim.GetRawText(), 40)}, not a size or the name of a dynamic axis");
            }
        }
    }
}
