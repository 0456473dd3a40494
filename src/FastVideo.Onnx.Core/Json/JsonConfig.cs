using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Core.Json;

/// <summary>
/// A JSON configuration file (config.json, model_index.json, scheduler_config.json, ...) with typed accessors
/// whose errors name the file and the field: "transformer/config.json: field 'num_layers' must be an integer".
/// </summary>
public sealed class JsonConfig
{
    public string Path { get; }
    public JsonObject Root { get; }

    public JsonConfig(string path, JsonObject root)
    {
        Path = path;
        Root = root;
    }

    /// <summary>
    /// Reads a config file: a regular file of bounded size holding valid UTF-8 JSON with an object at the top, no
    /// duplicate fields and at most <see cref="JsonText.MaxDepth"/> levels; every failure names the file.
    /// </summary>
    public static JsonConfig Load(string path)
    {
        var bytes = JsonText.ReadFile(path);
        var options = JsonText.Options(allowTrailingCommas: true);
        // The document pass checks every string and name; the node tree is then built from text known to be sound.
        using (JsonText.Parse(path, bytes, options)) { }
        if (JsonNode.Parse(bytes.Span, documentOptions: options) is not JsonObject obj)
            throw new ModelFormatException(path, "expected a JSON object at the top level");
        return new JsonConfig(path, obj);
    }

    /// <summary>What a value is, for messages: "a string", "the number 3", "null", ...</summary>
    public static string Describe(JsonNode? n) => n switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray a => $"an array of {a.Count}",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => $"the string \"{JsonText.Printable(v.GetValue<string>(), 40)}\"",
            JsonValueKind.Number => $"the number {JsonText.Printable(NumberText(v) ?? "?", 40)}",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {v.ToJsonString()}",
            _ => "a value",
        },
        _ => "a value",
    };

    public bool Has(string field) => Root.TryGetPropertyValue(field, out var v) && v is not null;

    public string? ClassName => Has("_class_name") ? GetString("_class_name") : null;

    // Field names may come from the file itself (a caller enumerating Root): quoted so the message stays one line.
    ModelFormatException Error(string field, string problem) => new(Path, $"field '{JsonText.Printable(field)}' {problem}");

    JsonNode Required(string field) =>
        Root.TryGetPropertyValue(field, out var v) && v is not null ? v : throw Error(field, "is missing");

    public int GetInt(string field) => ToInt(field, Required(field));
    public int GetInt(string field, int fallback) => Has(field) ? GetInt(field) : fallback;
    public int? GetIntOrNull(string field) => Has(field) ? GetInt(field) : null;

    public long GetLong(string field) => ToLong(field, Required(field));

    public double GetDouble(string field) => ToDouble(field, Required(field));
    public double GetDouble(string field, double fallback) => Has(field) ? GetDouble(field) : fallback;
    public double? GetDoubleOrNull(string field) => Has(field) ? GetDouble(field) : null;

    public bool GetBool(string field) => ToBool(field, Required(field));
    public bool GetBool(string field, bool fallback) => Has(field) ? GetBool(field) : fallback;

    public string GetString(string field)
    {
        var n = Required(field);
        return n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw Error(field, "must be a string");
    }
    public string GetString(string field, string fallback) => Has(field) ? GetString(field) : fallback;
    public string? GetStringOrNull(string field) => Has(field) ? GetString(field) : null;

    public int[] GetIntArray(string field) =>
        Required(field) is JsonArray a ? a.Select((n, i) => ToInt($"{field}[{i}]", n)).ToArray() : throw Error(field, "must be an array of integers");
    public int[] GetIntArray(string field, int[] fallback) => Has(field) ? GetIntArray(field) : fallback;

    public double[] GetDoubleArray(string field) =>
        Required(field) is JsonArray a ? a.Select((n, i) => ToDouble($"{field}[{i}]", n)).ToArray() : throw Error(field, "must be an array of numbers");
    public double[] GetDoubleArray(string field, double[] fallback) => Has(field) ? GetDoubleArray(field) : fallback;

    public bool[] GetBoolArray(string field) =>
        Required(field) is JsonArray a
            ? a.Select((n, i) => ToBool($"{field}[{i}]", n)).ToArray()
            : throw Error(field, "must be an array of true/false values");
    public bool[] GetBoolArray(string field, bool[] fallback) => Has(field) ? GetBoolArray(field) : fallback;

    bool ToBool(string field, JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : throw Error(field, "must be true or false");

    int ToInt(string field, JsonNode? n)
    {
        long l = ToLong(field, n);
        return l is >= int.MinValue and <= int.MaxValue ? (int)l : throw Error(field, $"is out of range: {l} does not fit a 32-bit integer");
    }

    // Numbers are read from their JSON text, so values parsed from a file and values set from code (ints, floats)
    // behave the same. A value set from code that has no JSON text (NaN) is not a number.
    static string? NumberText(JsonNode? n)
    {
        if (n is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return null;
        try
        {
            return v.ToJsonString();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    const NumberStyles IntegerStyle = NumberStyles.AllowLeadingSign;

    long ToLong(string field, JsonNode? n)
    {
        string text = NumberText(n) ?? throw Error(field, "must be an integer");
        if (long.TryParse(text, IntegerStyle, CultureInfo.InvariantCulture, out long l)) return l;
        bool plainDigits = text.TrimStart('-').All(char.IsAsciiDigit);
        if (plainDigits) throw Error(field, $"is out of range: {JsonText.Printable(text, 40)} does not fit a 64-bit integer");
        // 1e3 and 2.0 are integers written as floats (Python writes them); 2.5, 1e400 and 1e-400 are not.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) && d == Math.Floor(d))
        {
            if (d >= -9.2233720368547758e18 && d < 9.2233720368547758e18) return (long)d;
            throw Error(field, $"is out of range: {JsonText.Printable(text, 40)} does not fit a 64-bit integer");
        }
        throw Error(field, $"must be an integer, not {JsonText.Printable(text, 40)}");
    }

    double ToDouble(string field, JsonNode? n)
    {
        string text = NumberText(n) ?? throw Error(field, "must be a number");
        // double.Parse turns 1e400 into infinity: a config value that overflows a double is refused, never infinite.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)) return d;
        throw Error(field, $"is out of range: {JsonText.Printable(text, 40)} does not fit a 64-bit floating-point number");
    }
}
