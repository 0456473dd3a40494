using System.Text.Json;
using System.Text.Unicode;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.IO;

namespace FastVideo.Onnx.Core.Json;

/// <summary>
/// Reading JSON from untrusted files with one-line errors that name the file: a regular file of bounded size,
/// valid UTF-8, well-formed, bounded nesting, no duplicate fields, and no string (names included) that cannot
/// be turned into .NET text. Once a document passed <see cref="Parse"/>, reading its strings cannot throw.
/// </summary>
internal static class JsonText
{
    /// <summary>Deeper documents are refused (System.Text.Json's default, stated here because it is a promise).</summary>
    public const int MaxDepth = 64;

    /// <summary>Configs, indexes and manifests are kilobytes; a shard index of a very large model is a few megabytes.</summary>
    public const long MaxFileBytes = 64L << 20;

    static readonly byte[] Bom = { 0xEF, 0xBB, 0xBF };

    public static JsonDocumentOptions Options(bool allowTrailingCommas) => new()
    {
        AllowTrailingCommas = allowTrailingCommas,
        MaxDepth = MaxDepth,
        AllowDuplicateProperties = false,
    };

    /// <summary>The file's bytes (a leading byte-order mark dropped), checked to be a regular file, not too large and valid UTF-8.</summary>
    public static ReadOnlyMemory<byte> ReadFile(string path)
    {
        var bytes = UntrustedFile.ReadAllBytes(path, MaxFileBytes);
        var text = bytes.AsMemory();
        if (text.Span.StartsWith(Bom)) text = text[Bom.Length..];
        RequireUtf8(path, text.Span, "");
        return text;
    }

    /// <summary>Throws unless <paramref name="utf8"/> is valid UTF-8; <paramref name="what"/> prefixes the problem ("corrupt safetensors header: ").</summary>
    public static void RequireUtf8(string path, ReadOnlySpan<byte> utf8, string what)
    {
        if (Utf8.IsValid(utf8)) return;
        int good = 0;
        while (good < utf8.Length && Utf8.IsValid(utf8[..(good + 1)])) good++;
        // A multi-byte sequence cut short looks invalid too: report where the first complete valid prefix ends.
        int at = good;
        for (int n = Math.Min(4, utf8.Length - good); n > 0; n--)
            if (Utf8.IsValid(utf8[..(good + n)])) at = good + n;
        throw new ModelFormatException(path, $"{what}not valid UTF-8 text (invalid bytes at offset {at})");
    }

    /// <summary>Parses UTF-8 JSON and checks every string in it; the caller disposes the document.</summary>
    public static JsonDocument Parse(string path, ReadOnlyMemory<byte> utf8, JsonDocumentOptions options, string what = "")
    {
        RequireUtf8(path, utf8.Span, what);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8, options);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"{what}not valid JSON ({Printable(e.Message, 300)})", e);
        }
        catch (InvalidOperationException e)
        {
            // Checking for duplicate names reads every name, and a name with a lone-surrogate escape cannot be read.
            throw new ModelFormatException(path, $"{what}a field name holds an escape that is not valid Unicode text", e);
        }
        try
        {
            CheckStrings(path, doc.RootElement, "$", what);
            return doc;
        }
        catch
        {
            doc.Dispose();
            throw;
        }
    }

    // Escapes can spell text that UTF-8 validation cannot see (a lone surrogate "\ud800"); System.Text.Json refuses it
    // only when the string is read, with an InvalidOperationException: read every one now.
    static void CheckStrings(string path, JsonElement e, string where, string what)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                int index = 0;
                foreach (var p in e.EnumerateObject())
                {
                    string name = Text(path, p, where, index++, what);
                    CheckStrings(path, p.Value, $"{where}.{Printable(name)}", what);
                }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray()) CheckStrings(path, item, $"{where}[{i++}]", what);
                break;
            case JsonValueKind.String:
                try
                {
                    e.GetString();
                }
                catch (InvalidOperationException)
                {
                    throw new ModelFormatException(path, $"{what}the string at '{where}' holds an escape that is not valid Unicode text");
                }
                break;
        }
    }

    /// <summary>
    /// <paramref name="text"/> as it may appear inside a one-line message: control and line-separator characters
    /// escaped (\n, \u0000, ...), and cut after <paramref name="maxChars"/> characters.
    /// </summary>
    public static string Printable(string text, int maxChars = 120)
    {
        var sb = new System.Text.StringBuilder(Math.Min(text.Length, maxChars) + 8);
        foreach (char c in text.Length > maxChars ? text[..maxChars] : text)
        {
            if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else if (char.IsControl(c) || c is '\u2028' or '\u2029') sb.Append($"\\u{(int)c:x4}");
            else sb.Append(c);
        }
        if (text.Length > maxChars) sb.Append($"... ({text.Length} characters)");
        return sb.ToString();
    }

    static string Text(string path, JsonProperty p, string where, int index, string what)
    {
        try
        {
            return p.Name;
        }
        catch (InvalidOperationException)
        {
            throw new ModelFormatException(path, $"{what}the name of field {index} of '{where}' holds an escape that is not valid Unicode text");
        }
    }
}
