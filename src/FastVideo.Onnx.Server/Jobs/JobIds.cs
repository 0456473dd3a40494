using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace FastVideo.Onnx.Server.Jobs;

/// <summary>
/// Video ids: <c>video_</c> and 32 lowercase hex digits from a cryptographic generator. Every id from a request is
/// checked against this form before it is used, so no client text reaches a query or a file name.
/// </summary>
public static partial class JobIds
{
    public const string Prefix = "video_";

    public static string New() => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    [GeneratedRegex(@"^video_[0-9a-f]{32}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
