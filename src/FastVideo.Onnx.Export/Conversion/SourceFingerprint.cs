using System.Security.Cryptography;
using System.Text;
using FastVideo.Onnx.Core.Safetensors;

namespace FastVideo.Onnx.Export.Conversion;

/// <summary>
/// A cheap identity of a component's source: SHA-256 over its config file and, for each weight file, its name, size and
/// safetensors header (names, dtypes, shapes, offsets). Tells two checkpoints apart without hashing gigabytes.
/// </summary>
internal static class SourceFingerprint
{
    public static string Compute(string configPath, WeightArchive? weights)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(File.ReadAllBytes(configPath));
        if (weights is not null)
            foreach (var file in weights.Files.OrderBy(f => Path.GetFileName(f.Path), StringComparer.Ordinal))
            {
                sha.AppendData(Encoding.UTF8.GetBytes($"{Path.GetFileName(file.Path)}:{file.Length}\n"));
                sha.AppendData(file.HeaderBytes());
            }
        return "sha256:" + Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }
}
