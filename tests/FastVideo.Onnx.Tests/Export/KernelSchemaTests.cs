using System.Text.RegularExpressions;
using FastVideo.Onnx.Export.Onnx;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// The custom operators' signatures in <see cref="FastVideoKernels"/> (what the fused lowering writes) agree with what the
/// kernel library registers: read from native/fastvideo_kernels/src, the operator definitions (name, input count, output
/// count) and the attributes their kernels read.
/// </summary>
public class KernelSchemaTests
{
    sealed record Registered(string Name, int Inputs, int Outputs, string[] Attributes);

    static string Sources => string.Join("\n", Directory.GetFiles(Path.Combine(Repo.Root, "native", "fastvideo_kernels", "src"))
        .Where(f => f.EndsWith(".cc", StringComparison.Ordinal) || f.EndsWith(".cu", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
        .Select(File.ReadAllText));

    /// <summary>The text of <c>struct NAME ... };</c> (a top-level struct body ends with a line "};").</summary>
    static string StructBody(string source, string name)
    {
        var start = Regex.Match(source, @"struct\s+" + Regex.Escape(name) + @"\b[^;{]*\{");
        Assert.That(start.Success, Is.True, $"struct {name} not found");
        int end = source.IndexOf("\n};", start.Index, StringComparison.Ordinal);
        return source[start.Index..end];
    }

    static int Returned(string body, string method, int fallback)
    {
        var m = Regex.Match(body, method + @"\([^)]*\)\s*const\s*\{\s*return\s+(\d+);");
        return m.Success ? int.Parse(m.Groups[1].Value) : fallback;
    }

    static List<Registered> ParseRegistrations(string source)
    {
        int defaultOutputs = Returned(StructBody(source, "OpBase"), "GetOutputTypeCount", -1);
        Assert.That(defaultOutputs, Is.GreaterThan(0), "OpBase declares the default output count");
        var list = new List<Registered>();
        foreach (Match op in Regex.Matches(source, @"struct\s+(\w+)\s*:\s*OpBase<\w+(?:<[^>]*>)?\s*,\s*(\w+)<"))
        {
            string body = StructBody(source, op.Groups[1].Value);
            var name = Regex.Match(body, @"GetName\(\)\s*const\s*\{\s*return\s+([^;]+);");
            Assert.That(name.Success, Is.True, $"{op.Groups[1].Value} has no GetName");
            var names = Regex.Matches(name.Groups[1].Value, "\"(\\w+)\"").Select(m => m.Groups[1].Value).ToList();
            int inputs = Returned(body, "GetInputTypeCount", -1);
            int outputs = Returned(body, "GetOutputTypeCount", defaultOutputs);
            var attributes = Regex.Matches(StructBody(source, op.Groups[2].Value), "GetAttribute<[^>]+>\\(\"(\\w+)\"\\)")
                .Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal).ToArray();
            list.AddRange(names.Select(n => new Registered(n, inputs, outputs, attributes)));
        }
        return list;
    }

    [Test]
    public void TheSchemaMatchesTheLibrarysRegistrations()
    {
        string source = Sources;
        var registered = ParseRegistrations(source);
        Assert.That(Regex.Match(source, "kDomain\\s*=\\s*\"([^\"]+)\"").Groups[1].Value, Is.EqualTo(FastVideoKernels.Domain));
        Assert.That(registered.Select(r => r.Name), Is.EquivalentTo(FastVideoKernels.All.Select(o => o.Name)), "the same operators");
        foreach (var op in FastVideoKernels.All)
        {
            var r = registered.Single(x => x.Name == op.Name);
            Assert.That(r.Inputs, Is.EqualTo(op.Inputs.Count), $"{op.Name}: inputs");
            Assert.That(r.Outputs, Is.EqualTo(op.Outputs), $"{op.Name}: outputs");
            Assert.That(r.Attributes, Is.EqualTo(op.Attributes.Order(StringComparer.Ordinal).ToArray()), $"{op.Name}: attributes");
        }
        // every operator definition is added to the domain
        int members = Regex.Matches(StructBody(source, "OpSet"), @"^\s+\w+Op<[^;]+>\s+\w+;", RegexOptions.Multiline).Count;
        Assert.That(Regex.Matches(StructBody(source, "OpSet"), @"domain\.Add\(&\w+\)").Count, Is.EqualTo(members).And.EqualTo(FastVideoKernels.All.Count));
    }

    [Test]
    public void TheParserSeesADifferingRegistration()
    {
        // the same parse over a copy where one kernel reads one more attribute and one operator loses an input
        string changed = Sources.Replace("GetAttribute<float>(\"epsilon\")) {}", "GetAttribute<float>(\"epsilon\")), extra(Ort::ConstKernelInfo(info).GetAttribute<float>(\"alpha\")) {}")
            .Replace("const char* GetName() const { return \"GatedResidual\"; }\n  size_t GetInputTypeCount() const { return 4; }",
                     "const char* GetName() const { return \"GatedResidual\"; }\n  size_t GetInputTypeCount() const { return 3; }");
        var registered = ParseRegistrations(changed);
        Assert.That(registered.Single(r => r.Name == "GatedResidual").Inputs, Is.EqualTo(3));
        Assert.That(registered.Single(r => r.Name == "FusedLayerNorm").Attributes, Does.Contain("alpha"));
    }
}
