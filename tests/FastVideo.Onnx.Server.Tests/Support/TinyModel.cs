using FastVideo.Onnx.Cli.Commands;

namespace FastVideo.Onnx.Server.Tests.Support;

/// <summary>
/// The tool's embedded tiny model, converted on first use into a private cache folder (FASTVIDEO_ONNX_CACHE, which
/// child server processes inherit), as <c>serve</c> without --model converts it on a fresh machine.
/// </summary>
public static class TinyModel
{
    public static readonly string Cache = Path.Combine(Path.GetTempPath(), $"fvo-server-tests-{Environment.ProcessId}");

    static readonly Lazy<string> Converted = new(() =>
    {
        Environment.SetEnvironmentVariable("FASTVIDEO_ONNX_CACHE", Cache);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(Cache, true);
            }
            catch (IOException)
            {
            }
        };
        return EmbeddedModel.Converted(_ => { }, CancellationToken.None);
    });

    public static string Folder => Converted.Value;

    /// <summary>The --model argument serving the tiny model under its usual name.</summary>
    public static string Spec => $"{EmbeddedModel.Name}={Folder}";
}
