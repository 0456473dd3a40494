namespace FastVideo.Onnx.Server.Api;

/// <summary>
/// A request the server refuses: written as OpenAI's error envelope <c>{"error": {message, type, param, code}}</c> with
/// <see cref="Status"/>.
/// </summary>
public sealed class ApiException(int status, string type, string message, string? param = null, string? code = null) : Exception(message)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string? Param { get; } = param;
    public string? Code { get; } = code;

    /// <summary>Seconds for a Retry-After header (429 and 503 only).</summary>
    public int? RetryAfterSeconds { get; init; }

    public static ApiException Invalid(string param, string message, string code = "invalid_value") =>
        new(400, "invalid_request_error", message, param, code);

    public static ApiException NotFound(string message) => new(404, "invalid_request_error", message, null, "not_found");
}
