using System.Text.RegularExpressions;
using FastVideo.Onnx.Export.Onnx;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// The collective operators' signatures in <see cref="FastVideoCollectives"/> (what the graph builder writes) agree with
/// what the CPU collective library registers (native/fastvideo_collectives/src/collectives.cc).
/// </summary>
public class CollectiveSchemaTests
{
    [Test]
    public void TheSchemaMatchesTheLibrarysRegistrations()
    {
        string source = File.ReadAllText(Path.Combine(Repo.Root, "native", "fastvideo_collectives", "src", "collectives.cc"));
        Assert.That(Regex.Match(source, "kDomain\\s*=\\s*\"([^\"]+)\"").Groups[1].Value, Is.EqualTo(FastVideoKernels.Domain));
        var ops = Regex.Matches(source, @"struct\s+(\w+)\s*:\s*OpBase<\w+<T>,\s*(\w+)<T>").Select(m => (Op: m.Groups[1].Value, Kernel: m.Groups[2].Value)).ToList();
        Assert.That(ops, Has.Count.EqualTo(FastVideoCollectives.All.Count));
        foreach (var (op, kernel) in ops)
        {
            int start = source.IndexOf($"struct {op} :", StringComparison.Ordinal);
            string body = source[start..source.IndexOf("\n};", start, StringComparison.Ordinal)];
            string name = Regex.Match(body, "GetName\\(\\) const \\{ return \"(\\w+)\"").Groups[1].Value;
            int inputs = int.Parse(Regex.Match(body, @"GetInputTypeCount\(\) const \{ return (\d+);").Groups[1].Value);
            int kstart = source.IndexOf($"struct {kernel} {{", StringComparison.Ordinal);
            Assert.That(kstart, Is.GreaterThanOrEqualTo(0), kernel);
            string kbody = source[kstart..source.IndexOf("\n};", kstart, StringComparison.Ordinal)];
            var attributes = Regex.Matches(kbody, "GetAttribute<[^>]+>\\(\"(\\w+)\"\\)").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToArray();
            var expected = FastVideoCollectives.All.Single(o => o.Name == name);
            Assert.That(inputs, Is.EqualTo(expected.Inputs.Count), $"{name}: inputs");
            Assert.That(attributes, Is.EqualTo(expected.Attributes.Order(StringComparer.Ordinal).ToArray()), $"{name}: attributes");
        }
    }
}
