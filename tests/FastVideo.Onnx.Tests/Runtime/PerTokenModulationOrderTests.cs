using System.Text.Json;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>
/// The order in which ONNX Runtime runs the Wan2.2 TI2V transformer's nodes, read from its profile: each block's
/// per-token modulation (six [B, S, dim] float32 tensors) runs after the previous block's self-attention, not all 30
/// blocks' at the start (60 GiB at once on a 27,280-token video). With sessions specialised to the request's shapes,
/// the default on GPUs, ONNX Runtime folds a tie made of the input's shape into a constant (it did on one H200); the
/// tie is a value, and this runs the CPU with specialised shapes as the GPU does.
/// </summary>
public class PerTokenModulationOrderTests
{
    [TestCase(true)]
    [TestCase(false)]
    public void EachBlocksModulationRunsAfterThePreviousBlocksAttention(bool specializeShapes)
    {
        using var dir = Repo.Temp();
        string prefix = dir["profile/run"];
        Directory.CreateDirectory(Path.GetDirectoryName(prefix)!);
        using (var generator = VideoGenerator.FromPretrained(Wan22Fixture.Ti2vConverted, new GeneratorOptions
        {
            Runtime = new RuntimeOptions { SpecializeShapes = specializeShapes, ProfilePrefix = prefix },
        }))
            generator.Generate(Wan22Fixture.Request("ti2v_latents_init", 1, 5.0) with { LatentsOnly = true });

        // The transformer's profile is the one whose nodes are the blocks' (the text encoder writes its own).
        var orders = Directory.GetFiles(Path.GetDirectoryName(prefix)!, "run_*.json").Select(FirstRunOrder).Where(o => o.Any(n => n.StartsWith("blocks.", StringComparison.Ordinal))).ToList();
        Assert.That(orders, Is.Not.Empty, "a transformer profile was written");
        foreach (var order in orders)
        {
            int blocks = order.Count(n => n.StartsWith("blocks.", StringComparison.Ordinal) && n.EndsWith("/Split", StringComparison.Ordinal));
            Assert.That(blocks, Is.GreaterThanOrEqualTo(2), "the fixture has two blocks");
            for (int k = 1; k < blocks; k++)
            {
                int split = order.IndexOf($"blocks.{k}/Split");
                int previousAttention = order.FindIndex(n => n.StartsWith($"blocks.{k - 1}.attn1/", StringComparison.Ordinal) && n.Contains("MultiHeadAttention"));
                Assert.That(split, Is.GreaterThan(previousAttention), $"block {k}'s modulation ran at node {split}, before block {k - 1}'s attention at {previousAttention}");
            }
        }
    }

    /// <summary>The node names of a profile's first run, in the order they ran.</summary>
    static List<string> FirstRunOrder(string profile)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(profile));
        var order = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (!e.TryGetProperty("cat", out var cat) || cat.GetString() != "Node") continue;
            string name = e.GetProperty("name").GetString()!;
            if (!name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
            name = name[..^"_kernel_time".Length];
            if (!seen.Add(name)) break;
            order.Add(name);
        }
        return order;
    }
}
