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

    public static JsonConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException(path, "file not found");
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"not valid JSON ({e.Message.Split('\n')[0]})", e);
        }
        if (node is not JsonObject obj) throw new ModelFormatException(path, "expected a JSON object at the top level");
        return new JsonConfig(path, obj);
    }

    public bool Has(string field) => Root.TryGetPropertyValue(field, out var v) && v is not null;

    public string? ClassName => Has("_class_name") ? GetString("_class_name") : null;

    ModelFormatException Error(string field, string problem) => new(Path, $"field '{field}' {problem}");

    JsonNode Required(string field) =>
        Root.TryGetPropertyValue(field, out var v) && v is not null ? v : throw Error(field, "is missing");

    public int GetInt(string field) => ToInt(field, Required(field));
    public int GetInt(string field, int fallback) => Has(field) ? GetInt(field) : fallback;
    public int? GetIntOrNull(string field) => Has(field) ? GetInt(field) : null;

    public long GetLong(string field) => ToLong(field, Required(field));

    public double GetDouble(string field) => ToDouble(field, Required(field));
    public double GetDouble(string field, double fallback) => Has(field) ? GetDouble(field) : fallback;
    public double? GetDoubleOrNull(string field) => Has(field) ? GetDouble(field) : null;

    public bool GetBool(string field) =>
        Required(field) is JsonValue v && v.TryGetValue(out bool b) ? b : throw Error(field, "must be true or false");
    public bool GetBool(string field, bool fallback) => Has(field) ? GetBool(field) : fallback;

    public string GetString(string field) =>
        Required(field) is JsonValue v && v.TryGetValue(out string? s) ? s : throw Error(field, "must be a string");
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
            ? a.Select((n, i) => n is JsonValue v && v.TryGetValue(out bool b) ? b : throw Error($"{field}[{i}]", "must be true or false")).ToArray()
            : throw Error(field, "must be an array of true/false values");
    public bool[] GetBoolArray(string field, bool[] fallback) => Has(field) ? GetBoolArray(field) : fallback;

    int ToInt(string field, JsonNode? n)
    {
        long l = ToLong(field, n);
        return l is >= int.MinValue and <= int.MaxValue ? (int)l : throw Error(field, "is out of range");
    }

    // Numbers are read from their JSON text, so values parsed from a file and values set from code (ints, floats)
    // behave the same.
    static string? NumberText(JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.ToJsonString() : null;

    long ToLong(string field, JsonNode? n)
    {
        string? text = NumberText(n);
        if (text is not null)
        {
            if (long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long l)) return l;
            if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d)
                && Math.Abs(d - Math.Round(d)) < 1e-9 && Math.Abs(d) < 9e18) return (long)Math.Round(d);
        }
        throw Error(field, "must be an integer");
    }

    double ToDouble(string field, JsonNode? n)
    {
        string? text = NumberText(n);
        if (text is not null && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d)) return d;
        throw Error(field, "must be a number");
    }
}
