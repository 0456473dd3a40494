namespace FastVideo.Onnx.Tests.Support;

/// <summary>Paths inside the repository: the tiny models under models/tiny and the reference outputs under tests/fixtures.</summary>
public static class Repo
{
    static readonly Lazy<string> RootPath = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FastVideo.Onnx.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("FastVideo.Onnx.sln not found above the test binaries");
    });

    public static string Root => RootPath.Value;
    public static string TinyT2V => Path.Combine(Root, "models", "tiny", "wan-t2v-tiny");
    public static string TinyI2V => Path.Combine(Root, "models", "tiny", "wan-i2v-tiny");
    public static string Fixtures => Path.Combine(Root, "tests", "fixtures", "wan-tiny");
    public static string I2VImage => Path.Combine(Fixtures, "i2v_input.png");

    /// <summary>A fresh temporary folder, deleted by the caller's <see cref="IDisposable"/>.</summary>
    public static TempDir Temp() => new();
}

public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fvo-test-" + Guid.NewGuid().ToString("N")[..12]);

    public TempDir() => Directory.CreateDirectory(Path);

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, true);
        }
        catch (IOException)
        {
        }
    }
}
