using System.Globalization;
using System.Text.Json;

namespace FastVideo.Onnx.Server.Api;

/// <summary>
/// The fields of a <c>POST /v1/videos</c> body, read from JSON or from a multipart form (where every value is text),
/// with typed accessors whose errors name the field.
/// </summary>
internal sealed class CreateVideoFields
{
    public static readonly string[] Known =
    {
        "model", "prompt", "size", "seconds", "negative_prompt", "num_frames", "fps", "seed", "num_inference_steps",
        "guidance_scale", "guidance_scale_2", "vsa_sparsity", "input_reference", "frame_rate", "decode_timestep", "decode_noise_scale",
        "guidance_rescale",
    };

    readonly Dictionary<string, JsonElement> _json = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _text = new(StringComparer.Ordinal);

    /// <summary>The uploaded conditioning image (multipart file, or a JSON data URL), not yet checked.</summary>
    public byte[]? Image { get; private set; }

    public static async Task<CreateVideoFields> ReadAsync(HttpRequest request, ServerOptions options, CancellationToken cancel)
    {
        var fields = new CreateVideoFields();
        string contentType = request.ContentType ?? "";
        try
        {
            if (request.HasJsonContentType()) await fields.ReadJsonAsync(request, cancel).ConfigureAwait(false);
            else if (request.HasFormContentType && contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
                await fields.ReadFormAsync(request, options, cancel).ConfigureAwait(false);
            else
                throw new ApiException(415, "invalid_request_error", $"unsupported content type {ErrorEnvelope.Quote(contentType)} (use application/json or multipart/form-data)", null, "unsupported_media_type");
        }
        catch (BadHttpRequestException e)
        {
            throw e.StatusCode == 413
                ? new ApiException(413, "invalid_request_error", $"the request body is larger than {options.MaxRequestBytes} bytes", null, "request_too_large")
                : new ApiException(400, "invalid_request_error", $"the request body could not be read ({ErrorEnvelope.Quote(e.Message)})", null, "invalid_body");
        }
        catch (InvalidDataException e)
        {
            // The form reader's limits (multipart sections, value and file sizes) and malformed multipart bodies.
            bool limit = e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase);
            throw new ApiException(limit ? 413 : 400, "invalid_request_error", $"the multipart body is not acceptable ({ErrorEnvelope.Quote(e.Message)})", null,
                limit ? "request_too_large" : "invalid_body");
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new ApiException(400, "invalid_request_error", $"the request body could not be read ({ErrorEnvelope.Quote(e.Message)})", null, "invalid_body");
        }
        return fields;
    }

    async Task ReadJsonAsync(HttpRequest request, CancellationToken cancel)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 8 }, cancel).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new ApiException(400, "invalid_request_error", $"the body is not valid JSON ({ErrorEnvelope.Quote(e.Message)})", null, "invalid_json");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ApiException(400, "invalid_request_error", "the body must be a JSON object", null, "invalid_json");
            try
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    Check(property.Name);
                    if (property.Value.ValueKind == JsonValueKind.String) property.Value.GetString();
                    if (!_json.TryAdd(property.Name, property.Value.Clone()))
                        throw ApiException.Invalid(property.Name, $"{property.Name}: given twice", "duplicate_parameter");
                }
                if (_json.TryGetValue("input_reference", out var reference) && reference.ValueKind != JsonValueKind.Null) Image = DataUrl(reference);
            }
            catch (InvalidOperationException)
            {
                // The reader accepts invalid UTF-8 inside strings; it fails only when a string is read, so each is read here.
                throw new ApiException(400, "invalid_request_error", "the body is not valid UTF-8", null, "invalid_json");
            }
        }
    }

    async Task ReadFormAsync(HttpRequest request, ServerOptions options, CancellationToken cancel)
    {
        var form = await request.ReadFormAsync(cancel).ConfigureAwait(false);
        foreach (var (name, values) in form)
        {
            Check(name);
            if (values.Count != 1) throw ApiException.Invalid(name, $"{name}: given {values.Count} times", "duplicate_parameter");
            if (name == "input_reference") throw ApiException.Invalid(name, "input_reference: send the image as a file part", "invalid_type");
            _text[name] = values[0] ?? "";
        }
        foreach (var file in form.Files)
        {
            if (file.Name != "input_reference")
                throw ApiException.Invalid(ParamName(file.Name), $"{ParamName(file.Name)}: unexpected file (only input_reference takes one)", "unknown_parameter");
            if (Image is not null) throw ApiException.Invalid("input_reference", "input_reference: given twice", "duplicate_parameter");
            if (file.Length > options.MaxUploadBytes)
                throw new ApiException(413, "invalid_request_error", $"input_reference: {file.Length} bytes is more than {options.MaxUploadBytes}", "input_reference", "file_too_large");
            using var stream = file.OpenReadStream();
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, cancel).ConfigureAwait(false);
            Image = copy.ToArray();
        }
    }

    static string ParamName(string name) => ErrorEnvelope.Quote(name).Trim('\'');

    static void Check(string name)
    {
        if (!Known.Contains(name))
            throw ApiException.Invalid(ParamName(name), $"unknown parameter {ErrorEnvelope.Quote(name)} (known: {string.Join(", ", Known)})", "unknown_parameter");
    }

    static byte[] DataUrl(JsonElement reference)
    {
        // OpenAI's JSON form: {"image_url": "data:image/png;base64,..."}; fetching URLs from the server is not offered.
        if (reference.ValueKind != JsonValueKind.Object || !reference.TryGetProperty("image_url", out var url) || url.ValueKind != JsonValueKind.String)
            throw ApiException.Invalid("input_reference", "input_reference: expected {\"image_url\": \"data:image/...;base64,...\"} or a multipart file", "invalid_type");
        string text = url.GetString()!;
        int comma = text.IndexOf(',');
        if (!text.StartsWith("data:image/", StringComparison.OrdinalIgnoreCase) || comma < 0 || !text[..comma].EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
            throw ApiException.Invalid("input_reference", "input_reference.image_url: only base64 data URLs (data:image/...;base64,...) are accepted", "invalid_value");
        try
        {
            return Convert.FromBase64String(text[(comma + 1)..]);
        }
        catch (FormatException)
        {
            throw ApiException.Invalid("input_reference", "input_reference.image_url: the base64 data is not valid", "invalid_value");
        }
    }

    public bool Has(string name) => _text.ContainsKey(name) || (_json.TryGetValue(name, out var v) && v.ValueKind != JsonValueKind.Null);

    public string? String(string name)
    {
        if (_text.TryGetValue(name, out var t)) return t;
        if (!_json.TryGetValue(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw ApiException.Invalid(name, $"{name}: expected a string", "invalid_type");
    }

    /// <summary>A string or a number, as text (OpenAI's seconds is a string; FastVideo sends an integer).</summary>
    public string? StringOrNumber(string name)
    {
        if (_json.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.Number) return v.GetRawText();
        return String(name);
    }

    public long? Long(string name, long min, long max)
    {
        string? text = Numeric(name);
        if (text is null) return null;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw ApiException.Invalid(name, $"{name}: {ErrorEnvelope.Quote(text)} is not an integer", "invalid_type");
        if (value < min || value > max) throw ApiException.Invalid(name, $"{name}: {value} is outside [{min}, {max}]");
        return value;
    }

    public int? Int(string name, int min, int max) => (int?)Long(name, min, max);

    public double? Double(string name, double min, double max)
    {
        string? text = Numeric(name);
        if (text is null) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw ApiException.Invalid(name, $"{name}: {ErrorEnvelope.Quote(text)} is not a number", "invalid_type");
        if (value < min || value > max) throw ApiException.Invalid(name, $"{name}: {value.ToString(CultureInfo.InvariantCulture)} is outside [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]");
        return value;
    }

    string? Numeric(string name)
    {
        if (_text.TryGetValue(name, out var t)) return t.Trim();
        if (!_json.TryGetValue(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind switch
        {
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.String => v.GetString()!.Trim(),
            _ => throw ApiException.Invalid(name, $"{name}: expected a number", "invalid_type"),
        };
    }
}
