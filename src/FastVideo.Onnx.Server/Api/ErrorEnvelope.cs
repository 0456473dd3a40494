using System.Text.Json;

namespace FastVideo.Onnx.Server.Api;

/// <summary>Writes OpenAI's error envelope.</summary>
public static class ErrorEnvelope
{
    public static async Task WriteAsync(HttpContext context, ApiException error)
    {
        if (context.Response.HasStarted) return;
        context.Response.Clear();
        context.Response.StatusCode = error.Status;
        if (error.RetryAfterSeconds is int retry) context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (error.Status == 401) context.Response.Headers.WWWAuthenticate = "Bearer";
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Json(error), context.RequestAborted).ConfigureAwait(false);
    }

    public static string Json(ApiException error) => JsonSerializer.Serialize(new
    {
        error = new { message = error.Message, type = error.Type, param = error.Param, code = error.Code },
    });

    /// <summary>The envelope for a status code set by the framework itself (unknown route, wrong method, body too large).</summary>
    public static ApiException ForStatus(int status, string path) => status switch
    {
        404 => new ApiException(404, "invalid_request_error", $"no route {Quote(path)}", null, "not_found"),
        405 => new ApiException(405, "invalid_request_error", $"method not allowed on {Quote(path)}", null, "method_not_allowed"),
        413 => new ApiException(413, "invalid_request_error", "the request body is too large", null, "request_too_large"),
        415 => new ApiException(415, "invalid_request_error", "unsupported content type (use application/json or multipart/form-data)", null, "unsupported_media_type"),
        431 => new ApiException(431, "invalid_request_error", "the request headers are too large", null, "headers_too_large"),
        >= 500 => new ApiException(status, "server_error", "the server could not handle the request", null, "server_error"),
        _ => new ApiException(status, "invalid_request_error", $"the request failed with status {status}", null, null),
    };

    /// <summary>A client-supplied value shown in a message: quoted, at most 64 characters, control characters replaced.</summary>
    public static string Quote(string? value)
    {
        value ??= "";
        if (value.Length > 64) value = value[..64] + "...";
        return "'" + new string(value.Select(c => char.IsControl(c) ? '?' : c).ToArray()) + "'";
    }
}
