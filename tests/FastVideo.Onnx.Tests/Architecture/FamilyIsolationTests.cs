using System.Reflection;
using System.Text.RegularExpressions;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Architecture;

/// <summary>
/// The stages, Core and the shared runtime code know no model family: nothing outside a family's own folders
/// (<c>.../Wan/</c>) names a Wan type, by reference (reflection over the assemblies' signatures) or in source (which
/// also catches constants, which compile to literals).
/// </summary>
public class FamilyIsolationTests
{
    static readonly Assembly[] Assemblies = { typeof(VideoGenerator).Assembly, typeof(ConvertedModel).Assembly };

    static bool IsFamily(Type t) => (t.Namespace ?? "").Split('.').Contains("Wan") || t.Name.StartsWith("Wan", StringComparison.Ordinal);

    static bool IsShared(Type t) => !IsFamily(t) && !(t.DeclaringType is { } outer && IsFamily(outer));

    /// <summary>The types a type's signature mentions: base, interfaces, fields, properties, method and constructor parameters and returns.</summary>
    static IEnumerable<Type> Referenced(Type t)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (t.BaseType is { } b) yield return b;
        foreach (var i in t.GetInterfaces()) yield return i;
        foreach (var f in t.GetFields(all)) yield return f.FieldType;
        foreach (var p in t.GetProperties(all)) yield return p.PropertyType;
        foreach (var m in t.GetMethods(all))
        {
            yield return m.ReturnType;
            foreach (var p in m.GetParameters()) yield return p.ParameterType;
        }
        foreach (var c in t.GetConstructors(all))
            foreach (var p in c.GetParameters())
                yield return p.ParameterType;
    }

    static IEnumerable<Type> Expand(Type t)
    {
        if (t.HasElementType) return Expand(t.GetElementType()!);
        return t.IsGenericType ? t.GetGenericArguments().SelectMany(Expand).Prepend(t) : new[] { t };
    }

    [Test]
    public void SharedTypesReferenceNoFamilyType()
    {
        var offenders = Assemblies.SelectMany(a => a.GetTypes()).Where(IsShared)
            .SelectMany(t => Referenced(t).SelectMany(Expand).Where(IsFamily).Select(r => $"{t.FullName} -> {r.FullName}"))
            .Distinct().ToList();
        Assert.That(offenders, Is.Empty);
    }

    // A Wan identifier (WanVaeChunking, WanFamily, ...) or a Wan namespace (Contracts.Wan, Components.Wan).
    static readonly Regex FamilyName = new(@"\bWan[A-Z0-9_]\w*|\.Wan\b", RegexOptions.Compiled);

    // Comments and string literals, removed before the scan (prose may name the family the code was measured on).
    static readonly Regex CommentsAndStrings = new(@"//[^\n]*|/\*.*?\*/|@""(?:[^""]|"""")*""|\$?""(?:[^""\\\n]|\\.)*""", RegexOptions.Compiled | RegexOptions.Singleline);

    [TestCase("src/FastVideo.Onnx.Runtime")]
    [TestCase("src/FastVideo.Onnx.Core")]
    public void SharedSourceNamesNoFamily(string project)
    {
        string root = Path.Combine(Repo.Root, project);
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("obj/", StringComparison.Ordinal) && !f.StartsWith("bin/", StringComparison.Ordinal))
            .Where(f => !f.Split('/').Contains("Wan"))
            .ToList();
        Assert.That(files, Has.Some.StartsWith("Stages/").Or.Some.StartsWith("Models/"), "the scan sees the shared folders");
        var offenders = files
            .SelectMany(f => FamilyName.Matches(CommentsAndStrings.Replace(File.ReadAllText(Path.Combine(root, f)), " ")).Select(m => $"{f}: {m.Value}"))
            .Distinct().ToList();
        Assert.That(offenders, Is.Empty);
    }

    /// <summary>The scan is not vacuous: it finds the family's names in the family's own code.</summary>
    [Test]
    public void TheScanSeesFamilyNames()
    {
        string source = File.ReadAllText(Path.Combine(Repo.Root, "src/FastVideo.Onnx.Runtime/Pipelines/Wan/WanPipeline.cs"));
        Assert.That(FamilyName.IsMatch(CommentsAndStrings.Replace(source, " ")), Is.True);
        Assert.That(FamilyName.IsMatch(CommentsAndStrings.Replace("// WanPipeline\nvar x = \"WanVae\";", " ")), Is.False);
    }
}
