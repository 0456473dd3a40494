using System.Diagnostics;
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
        yield return new TestCaseData("ti2v").SetName("Wan22Ti2vGraphsMatchTheirContracts");
        yield return new TestCaseData("a14b-t2v").SetName("Wan22A14bTextToVideoGraphsMatchTheirContracts");
        yield return new TestCaseData("a14b-i2v").SetName("Wan22A14bImageToVideoGraphsMatchTheirContracts");
    }

    static string Folder(string which) => which switch
    {
        "t2v" => ConvertedModels.TextToVideo,
        "i2v" => ConvertedModels.ImageToVideo,
        "ti2v" => Wan22Fixture.Ti2vConverted,
        "a14b-t2v" => Wan22Fixture.A14bT2vConverted,
        "a14b-i2v" => Wan22Fixture.A14bI2vConverted,
        _ => ConvertedModels.FastWan,
    };

    // Graphs per folder: the VAE's 8, the text encoder's, the transformers' (2 each: portable and fused) and CLIP's.
    static int ExpectedGraphs(string which) => which switch
    {
        "i2v" => 12,
        "a14b-t2v" or "a14b-i2v" => 13,
        _ => 11,
    };

    [TestCaseSource(nameof(Folders))]
    public void GraphsMatchTheirContracts(string which)
    {
        string folder = Folder(which);
        var model = ConvertedModel.Load(folder);
        // The timestep layout the converter gave the transformers: the pipeline's (expand_timesteps in model_index.json).
        var timestep = WanTransformerContract.TimestepLayoutOf(JsonConfig.Load(Path.Combine(folder, ModelIndex.FileName)));
        int checkedGraphs = 0;
        foreach (var (name, component) in model.Components.Where(c => c.Value.Kind == ConvertedComponent.Exported))
        {
            string path = Path.Combine(folder, name);
            var manifest = ComponentManifest.Load(path);
            var contracts = Contracts(manifest, JsonConfig.Load(Path.Combine(path, "config.json")), timestep);
            Assert.That(manifest.Graphs.Select(g => g.File), Is.EquivalentTo(contracts.Select(c => c.File)), $"{name}: the graph files are the contract's");
            foreach (var graph in manifest.Graphs)
            {
                var differences = contracts.Single(c => c.File == graph.File).Differences(graph);
                Assert.That(differences, Is.Empty, $"{name}/{graph.File}");
                checkedGraphs++;
            }
        }
        Assert.That(checkedGraphs, Is.EqualTo(ExpectedGraphs(which)));
    }

    /// <summary>The contracts of a converted component's graphs, by its class.</summary>
    static IReadOnlyList<GraphContract> Contracts(ComponentManifest manifest, JsonConfig config, TimestepLayout timestep) => manifest.ClassName switch
    {
        WanTransformerContract.ComponentClass => WanTransformerContract.FromConfig(config, timestep) is var contract
            ? contract.GraphFiles.Select(f => contract.Graph(f, vsa: manifest.Notes.Any(n => n.Contains("video sparse attention", StringComparison.Ordinal)))).ToList()
            : throw new UnreachableException(),
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
