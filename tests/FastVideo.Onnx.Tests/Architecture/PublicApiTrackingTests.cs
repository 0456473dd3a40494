using System.Text.Json;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Architecture;

/// <summary>
/// Every public API change of the packaged libraries is written down: the build reports RS0016 (public but not in
/// PublicAPI.*.txt) and RS0017 (listed but gone) as warnings, so that branches adding types merge without breaking the
/// build, and this test turns them into a failure. It reads the diagnostics the compiler wrote (obj/CONFIG/NAME.sarif,
/// see Directory.Build.targets) when it last compiled each library, which <c>dotnet test</c> has just done when the
/// sources changed; it costs no build of its own.
/// </summary>
public class PublicApiTrackingTests
{
    static readonly string[] Libraries =
        { "FastVideo.Onnx.Core", "FastVideo.Onnx.Export", "FastVideo.Onnx.Export.Torch", "FastVideo.Onnx.Runtime", "FastVideo.Onnx.Server" };

#if DEBUG
    const string Configuration = "Debug";
#else
    const string Configuration = "Release";
#endif

    static JsonElement Run(string library)
    {
        string path = Path.Combine(Repo.Root, "src", library, "obj", Configuration, library + ".sarif");
        Assert.That(File.Exists(path), Is.True, $"{path} is missing: the library's build writes it (ErrorLog in Directory.Build.targets)");
        using var sarif = JsonDocument.Parse(File.ReadAllText(path));
        return sarif.RootElement.GetProperty("runs")[0].Clone();
    }

    [TestCaseSource(nameof(Libraries))]
    public void ThePublicApiAnalyzerRuns(string library)
    {
        var rules = Run(library).GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray()
            .Select(r => r.GetProperty("id").GetString()).ToHashSet();
        Assert.That(rules, Does.Contain("RS0016").And.Contain("RS0017"), $"{library} does not run the public API analyzer");
    }

    [TestCaseSource(nameof(Libraries))]
    public void EveryPublicApiChangeIsListed(string library)
    {
        var untracked = Run(library).GetProperty("results").EnumerateArray()
            .Where(r => r.GetProperty("ruleId").GetString() is "RS0016" or "RS0017")
            .Select(r => r.GetProperty("ruleId").GetString() + ": " + r.GetProperty("message").GetProperty("text").GetString())
            .ToList();
        Assert.That(untracked, Is.Empty,
            $"{library}: the public API differs from PublicAPI.*.txt; review the change and run build/update-public-api.sh");
    }
}
