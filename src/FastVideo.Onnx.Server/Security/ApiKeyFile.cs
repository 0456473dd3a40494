using System.Security.Cryptography;
using System.Text;
using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Server.Security;

/// <summary>
/// A file of API keys, stored hashed (one <c>sha256:HEX LABEL</c> line per key; # starts a comment): the file never
/// holds a key, so reading it gives no access. A key's jobs belong to its owner id, derived from the hash.
/// </summary>
public sealed class ApiKeyFile
{
    public const string KeyPrefix = "fvo_";
    const string HashPrefix = "sha256:";

    readonly Dictionary<string, string> _owners; // hash (hex) -> owner id

    ApiKeyFile(Dictionary<string, string> owners) => _owners = owners;

    public int Count => _owners.Count;

    public static ApiKeyFile Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidRequestException("--api-keys", $"{path} does not exist (create it with: fastvideo-onnx serve keys add --api-keys {path})");
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        int number = 0;
        foreach (string raw in File.ReadLines(path))
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            string hash = line.Split(' ', 2)[0];
            if (!hash.StartsWith(HashPrefix, StringComparison.Ordinal) || hash.Length != HashPrefix.Length + 64 || !hash[HashPrefix.Length..].All(Uri.IsHexDigit))
                throw new InvalidRequestException("--api-keys", $"{path}:{number}: expected 'sha256:<64 hex digits> [label]' (lines are written by 'serve keys add')");
            string hex = hash[HashPrefix.Length..].ToLowerInvariant();
            owners[hex] = OwnerOf(hex);
        }
        if (owners.Count == 0) throw new InvalidRequestException("--api-keys", $"{path} holds no keys (add one with: fastvideo-onnx serve keys add --api-keys {path})");
        return new ApiKeyFile(owners);
    }

    /// <summary>The owner id of a presented key, or null when it is not one of the file's keys.</summary>
    public string? Authenticate(string key) => _owners.GetValueOrDefault(Hash(key));

    static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    static string OwnerOf(string hashHex) => "key_" + hashHex[..16];

    /// <summary>Creates a key, appends its hash to <paramref name="path"/> (created if missing) and returns the key, which is not stored anywhere.</summary>
    public static string Add(string path, string? label)
    {
        if (label is not null && label.Any(c => char.IsControl(c)))
            throw new InvalidRequestException("--name", "the label must be one line");
        string key = KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (folder is null || !Directory.Exists(folder)) throw new InvalidRequestException("--api-keys", $"{folder} does not exist");
        string existing = File.Exists(full) ? File.ReadAllText(full) : "# fastvideo-onnx API keys (hashed); add with: fastvideo-onnx serve keys add\n";
        if (existing.Length > 0 && !existing.EndsWith('\n')) existing += "\n";
        string line = $"{HashPrefix}{Hash(key)} {label ?? DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)}\n";
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.partial-{Guid.NewGuid().ToString("N")[..8]}");
        try
        {
            File.WriteAllText(temp, existing + line);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return key;
    }
}
