using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>
/// Mutators of JSON files (config.json, scheduler_config.json, model_index.json, index files, tokenizer JSON): raw
/// bytes, one value replaced by a wrong type or an extreme number, keys removed or duplicated, deep nesting, hostile
/// names, invalid UTF-8, and a damaged document as a whole.
/// </summary>
public static class JsonMutators
{
    const string RawMarker = "\u0001raw\u0001";

    /// <summary>Replacement values, as JSON text: wrong types, extremes, tokens System.Text.Json refuses by default.</summary>
    static readonly string[] Replacements =
    {
        "\"x\"", "\"\"", "\"NaN\"", "\"2\"", "null", "true", "false", "[]", "{}", "[1,2,3]", "[[[]]]", "{\"a\":1}",
        "0", "-1", "1", "2", "-2147483649", "2147483648", "4294967296", "9223372036854775807", "9223372036854775808",
        "18446744073709551616", "99999999999999999999999999999999999999", "1e308", "-1e308", "1e400", "-1e400", "1e-400",
        "1.5", "0.5", "-0", "NaN", "Infinity", "-Infinity", "0x10", "01", "1e5", "\"\\u0000\"", $"\"{new string('s', 100_000)}\"",
    };

    public static IReadOnlyList<Mutator> All { get; } = new Mutator[]
    {
        new("json-byte", FileKind.Json, 5, ByteFlip),
        new("json-truncate", FileKind.Json, 3, Truncate),
        new("json-invalid-utf8", FileKind.Json, 4, InvalidUtf8),
        new("json-value", FileKind.Json, 24, Value),
        new("json-remove-key", FileKind.Json, 6, RemoveKey),
        new("json-deep-nesting", FileKind.Json, 3, DeepNesting),
        new("json-duplicate-key", FileKind.Json, 3, DuplicateKey),
        new("json-document", FileKind.Json, 3, Document),
        new("json-name", FileKind.Json, 6, Name),
    };

    public static JsonObject ParseObject(byte[] bytes) =>
        (JsonObject)JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip })!;

    public static byte[] Write(JsonNode root, string? raw = null)
    {
        string text = root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        if (raw is not null) text = text.Replace($"\"{RawMarker}\"", raw);
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>Every value of the document with a way to replace it, depth first (the root excluded).</summary>
    static List<(string Path, Action<JsonNode?> Set, JsonNode? Value, JsonObject? Parent, string Key)> Slots(JsonNode root)
    {
        var slots = new List<(string, Action<JsonNode?>, JsonNode?, JsonObject?, string)>();
        void Walk(JsonNode? node, string path)
        {
            if (node is JsonObject o)
                foreach (var (key, value) in o.ToList())
                {
                    string p = $"{path}.{key}";
                    slots.Add((p, v => o[key] = v, value, o, key));
                    Walk(value, p);
                }
            else if (node is JsonArray a)
                for (int i = 0; i < a.Count; i++)
                {
                    int at = i;
                    string p = $"{path}[{i}]";
                    slots.Add((p, v => a[at] = v, a[i], null, ""));
                    Walk(a[i], p);
                }
        }
        Walk(root, "$");
        return slots;
    }

    static string Shown(string text) => text.Length > 48 ? $"{text[..24]}... ({text.Length} chars)" : text;

    static Mutation ByteFlip(byte[] file, Random rng)
    {
        var bytes = (byte[])file.Clone();
        int count = rng.Next(1, 4);
        var changes = new List<string>();
        for (int i = 0; i < count; i++)
        {
            int at = rng.Next(bytes.Length);
            byte before = bytes[at];
            bytes[at] = (byte)(before ^ rng.Next(1, 256));
            changes.Add($"[{at}] 0x{before:X2}->0x{bytes[at]:X2}");
        }
        return new($"bytes {string.Join(" ", changes)}", bytes);
    }

    static Mutation Truncate(byte[] file, Random rng)
    {
        int length = rng.Next(file.Length);
        return new($"truncated to {length} of {file.Length} bytes", file[..length]);
    }

    static Mutation InvalidUtf8(byte[] file, Random rng)
    {
        var quotes = Enumerable.Range(0, file.Length).Where(i => file[i] == (byte)'"').ToList();
        int at = rng.Pick(quotes) + 1;
        var bad = rng.Pick(FuzzRandom.InvalidUtf8);
        return new($"invalid UTF-8 {Convert.ToHexString(bad)} inserted at byte {at}", FuzzRandom.Insert(file, at, bad));
    }

    static Mutation Value(byte[] file, Random rng)
    {
        var root = ParseObject(file);
        var slots = Slots(root);
        // Leaves first: they are the configuration values the readers convert.
        var leaves = slots.Where(s => s.Value is JsonValue or null).ToList();
        var (path, set, value, _, _) = rng.Next(4) > 0 && leaves.Count > 0 ? rng.Pick(leaves) : rng.Pick(slots);
        string before = value?.ToJsonString() ?? "null";
        string raw = rng.Pick(Replacements.Where(r => r != before).ToList());
        set(RawMarker);
        return new($"{path} {Shown(before)} -> {Shown(raw)}", Write(root, raw));
    }

    static Mutation RemoveKey(byte[] file, Random rng)
    {
        var root = ParseObject(file);
        var (path, _, _, parent, key) = rng.Pick(Slots(root).Where(s => s.Parent is not null).ToList());
        parent!.Remove(key);
        return new($"{path} removed", Write(root));
    }

    static Mutation DeepNesting(byte[] file, Random rng)
    {
        var root = ParseObject(file);
        var (path, set, _, _, _) = rng.Pick(Slots(root));
        int depth = rng.Pick(new[] { 63, 64, 65, 1000, 100_000 });
        string raw = rng.Next(2) == 0
            ? new string('[', depth) + new string(']', depth)
            : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
        set(RawMarker);
        return new($"{path} -> nested {depth} deep", Write(root, raw));
    }

    static Mutation DuplicateKey(byte[] file, Random rng)
    {
        var root = ParseObject(file);
        string key = rng.Pick(root.Select(p => p.Key).ToList());
        string value = rng.Pick(new[] { "null", "\"x\"", "-1", "[]", root[key]?.ToJsonString() ?? "null" });
        string text = Encoding.UTF8.GetString(Write(root));
        // JsonObject cannot hold a key twice, so the duplicate goes into the text: before and after the original.
        string duplicate = $"\"{key}\": {value}";
        text = rng.Next(2) == 0 ? "{" + duplicate + "," + text.TrimStart()[1..] : text.TrimEnd()[..^1].TrimEnd() + "," + duplicate + "}";
        return new($"key '{key}' given twice (the other one {value})", Encoding.UTF8.GetBytes(text));
    }

    static Mutation Document(byte[] file, Random rng)
    {
        // Built on demand: some of them are large.
        var choices = new (string What, Func<byte[]> Bytes)[]
        {
            ("empty file", Array.Empty<byte>), ("whitespace only", () => " \n"u8.ToArray()), ("null", () => "null"u8.ToArray()),
            ("[]", () => "[]"u8.ToArray()), ("1", () => "1"u8.ToArray()), ("a string", () => "\"x\""u8.ToArray()), ("{}", () => "{}"u8.ToArray()),
            ("UTF-8 BOM first", () => [0xEF, 0xBB, 0xBF, .. file]), ("UTF-16 instead of UTF-8", () => Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(file))),
            ("a second object after it", () => [.. file, .. "{}"u8]), ("a NUL byte after it", () => [.. file, 0]),
            ("an object nested 100000 deep", () => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 100_000)) + "1" + new string('}', 100_000))),
        };
        var (what, make) = rng.Pick(choices);
        var bytes = make();
        return new($"document replaced: {what}", bytes);
    }

    /// <summary>A key or a string value renamed to a separator, traversal, control-character or oversized name.</summary>
    static Mutation Name(byte[] file, Random rng)
    {
        var root = ParseObject(file);
        var slots = Slots(root);
        string name = rng.Pick(FuzzRandom.HostileNames);
        var strings = slots.Where(s => s.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String).ToList();
        if (strings.Count > 0 && rng.Next(2) == 0)
        {
            var (path, set, value, _, _) = rng.Pick(strings);
            if (value!.GetValue<string>() == name) name += "x";
            set(name);
            return new($"{path} {Shown(value.ToJsonString())} -> {Shown(JsonSerializer.Serialize(name))}", Write(root));
        }
        string key = rng.Pick(root.Select(p => p.Key).ToList());
        if (key == name) name += "x";
        var rebuilt = new JsonObject();
        foreach (var (k, v) in root.ToList())
        {
            root.Remove(k);
            if (k == key) rebuilt[name] = v;
            else if (k != name) rebuilt[k] = v;
        }
        return new($"key '{key}' renamed to {Shown(JsonSerializer.Serialize(name))}", Write(rebuilt));
    }
}
