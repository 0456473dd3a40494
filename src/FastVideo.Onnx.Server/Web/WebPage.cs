using System.Reflection;

namespace FastVideo.Onnx.Server.Web;

/// <summary>The web page at <c>/</c>: plain HTML, JavaScript and CSS embedded in this assembly (no build step).</summary>
public static class WebPage
{
    static readonly (string Path, string Resource, string Type)[] Files =
    {
        ("/", "web/index.html", "text/html; charset=utf-8"),
        ("/index.html", "web/index.html", "text/html; charset=utf-8"),
        ("/app.js", "web/app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "web/style.css", "text/css; charset=utf-8"),
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        foreach (var (path, resource, type) in Files)
        {
            byte[] content = Read(resource);
            app.MapGet(path, (HttpContext c) =>
            {
                c.Response.Headers.CacheControl = "no-cache";
                c.Response.Headers.XContentTypeOptions = "nosniff";
                c.Response.Headers.ContentSecurityPolicy = "default-src 'self'; media-src 'self' blob:; img-src 'self' blob: data:";
                return Results.Bytes(content, type);
            }).ExcludeFromDescription();
        }
    }

    static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
                           ?? throw new InvalidOperationException($"embedded resource {name} is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
