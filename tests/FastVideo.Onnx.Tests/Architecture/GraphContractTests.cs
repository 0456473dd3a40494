using FastVideo.Onnx.Core.Contracts;
using FastVideo.Onnx.Core.Contracts.Clip;
using FastVideo.Onnx.Core.Contracts.Umt5;
using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Architecture;

/// <summary>
/// Every graph the converter writes for the tiny models declares exactly the inputs and outputs of its component's
/// contract (Core/Contracts), the signature the runtime binds by: the converter and the runtime cannot drift apart.
/// </summary>
public class GraphContractTests
{
    static IEnumerable<TestCaseData> Folders()
    {
        yield return new TestCaseData("t2v").SetName("TextToVideoGraphsMatchTheirContracts");
        yield return new TestCaseData("i2v").SetName("ImageToVideoGraphsMatchTheirContracts");
        yield return new TestCaseData("fastwan").SetName("FastWanGraphsMatchTheirContracts");
    }

    static string Folder(string which) => which switch
    {
        "t2v" => ConvertedModels.TextToVideo,
        "i2v" => ConvertedModels.ImageToVideo,
        _ => ConvertedModels.FastWan,
    };

    [TestCaseSource(nameof(Folders))]
    public void GraphsMatchTheirContracts(string which)
    {
        string folder = Folder(which);
        var model = ConvertedModel.Load(folder);
        int checkedGraphs = 0;
        foreach (var (name, component) in model.Components.Where(c => c.Value.Kind == ConvertedComponent.Exported))
        {
            string path = Path.Combine(folder, name);
            var manifest = ComponentManifest.Load(path);
            var contracts = Contracts(manifest, JsonConfig.Load(Path.Combine(path, "config.json")));
            Assert.That(manifest.Graphs.Select(g => g.File), Is.EquivalentTo(contracts.Select(c => c.File)), $"{name}: the graph files are the contract's");
            foreach (var graph in manifest.Graphs)
            {
                var differences = contracts.Single(c => c.File == graph.File).Differences(graph);
                Assert.That(differences, Is.Empty, $"{name}/{graph.File}");
                checkedGraphs++;
            }
        }
        Assert.That(checkedGraphs, Is.GreaterThanOrEqualTo(which == "i2v" ? 12 : 11));
    }

    /// <summary>The contracts of a converted component's graphs, by its class.</summary>
    static IReadOnlyList<GraphContract> Contracts(ComponentManifest manifest, JsonConfig config) => manifest.ClassName switch
    {
        WanTransformerContract.ComponentClass => new[] { WanTransformerContract.PortableGraph, WanTransformerContract.FusedGraph }
            .Select(f => WanTransformerContract.FromConfig(config).Graph(f, vsa: manifest.Notes.Any(n => n.Contains("video sparse attention", StringComparison.Ordinal))))
            .ToList(),
        WanVaeContract.ComponentClass => WanVaeContract.FromConfig(config).Graphs,
        Umt5EncoderContract.ComponentClass => new[] { Umt5EncoderContract.FromConfig(config).Graph },
        ClipVisionContract.ComponentClass => new[] { ClipVisionContract.FromConfig(config).Graph },
        _ => throw new AssertionException($"no contract for {manifest.ClassName}"),
    };

    /// <summary>The comparison fails on a renamed input, a changed dim and a missing output (it is not vacuous).</summary>
    [Test]
    public void DifferencesAreReported()
    {
        var manifest = ComponentManifest.Load(Path.Combine(ConvertedModels.TextToVideo, "transformer"));
        var graph = manifest.Graph(WanTransformerContract.PortableGraph, "transformer");
        var contract = WanTransformerContract.FromConfig(JsonConfig.Load(Path.Combine(ConvertedModels.TextToVideo, "transformer", "config.json")));
        Assert.That(contract.Graph(WanTransformerContract.PortableGraph, vsa: false).Differences(graph), Is.Empty);

        var renamed = graph with { Inputs = graph.Inputs.Select(i => i.Name == "timestep" ? i with { Name = "t" } : i).ToList() };
        Assert.That(contract.Graph(WanTransformerContract.PortableGraph, vsa: false).Differences(renamed), Has.Some.Contains("inputs are"));
        var wider = contract with { InChannels = contract.InChannels + 1 };
        Assert.That(wider.Graph(WanTransformerContract.PortableGraph, vsa: false).Differences(graph), Has.Some.Contains("'hidden_states' has dims"));
        var perToken = contract.Graph(WanTransformerContract.PortableGraph, vsa: false, TimestepLayout.PerToken);
        Assert.That(perToken.Differences(graph), Has.Some.Contains("'timestep' has dims"));
        Assert.That(WanTransformerContract.TimestepLayoutOf(graph), Is.EqualTo(TimestepLayout.PerSample));
        var noOutput = graph with { Outputs = Array.Empty<TensorSignature>() };
        Assert.That(contract.Graph(WanTransformerContract.PortableGraph, vsa: false).Differences(noOutput), Has.Some.Contains("outputs are"));
    }
}
