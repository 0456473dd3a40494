using FastVideo.Onnx.Server.Api;

namespace FastVideo.Onnx.Server.Security;

/// <summary>
/// Checks <c>Authorization: Bearer KEY</c> on every route but the health checks and the web page's static files, and
/// records who is asking (<see cref="Owner"/>): with keys, the key's owner id; without keys, everyone is the same
/// anonymous owner.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyFile? keys)
{
    const string OwnerItem = "fastvideo.owner";
    public const string Anonymous = "anonymous";

    static readonly HashSet<string> PublicPaths = new(StringComparer.Ordinal) { "/", "/index.html", "/app.js", "/style.css", "/favicon.ico", "/health/live", "/health/ready" };

    public static bool IsPublic(PathString path) => PublicPaths.Contains(path.Value ?? "");

    public static string Owner(HttpContext context) => context.Items[OwnerItem] as string ?? Anonymous;

    public Task InvokeAsync(HttpContext context)
    {
        if (keys is null || IsPublic(context.Request.Path))
        {
            context.Items[OwnerItem] = Anonymous;
            return next(context);
        }
        string? header = context.Request.Headers.Authorization.Count == 1 ? context.Request.Headers.Authorization[0] : null;
        if (header is null)
            return ErrorEnvelope.WriteAsync(context, new ApiException(401, "invalid_request_error",
                "missing API key: send 'Authorization: Bearer KEY'", null, "missing_api_key"));
        const string scheme = "Bearer ";
        string? owner = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && header.Length > scheme.Length && header.Length < 512
            ? keys.Authenticate(header[scheme.Length..].Trim())
            : null;
        if (owner is null)
            return ErrorEnvelope.WriteAsync(context, new ApiException(401, "invalid_request_error", "invalid API key", null, "invalid_api_key"));
        context.Items[OwnerItem] = owner;
        return next(context);
    }
}
