using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Onnx;
using FastVideo.Onnx.Export.Wan;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// The fused-kernel lowering of the Wan VAE: every channel RMS norm (with the SiLU after it) becomes one
/// com.fastvideo::ChannelRmsNorm node (fp16: one ChannelsLastRmsNorm node between a transpose to channels-last and one
/// back, which ONNX Runtime cancels against its channels-last convolutions), and nothing else changes. The kernel itself is CUDA-only; `fastvideo-onnx bench
/// precision` checks its numbers on a GPU.
/// </summary>
public class FusedVaeGraphTests
{
    static WanVaeModel Wan21() => new(WanVaeConfig.FromJson(new JsonConfig("vae/config.json", JsonNode.Parse("""
        {"_class_name": "AutoencoderKLWan", "attn_scales": [], "base_dim": 96, "dim_mult": [1, 2, 4, 4], "dropout": 0.0,
         "num_res_blocks": 2, "temperal_downsample": [false, true, true], "z_dim": 16}
        """)!.AsObject())));

    static IEnumerable<Module> Descendants(Module m) => m.Children.SelectMany(c => new[] { c.Child }.Concat(Descendants(c.Child)));

    /// <summary>The (name, build) of the four chunk graphs of <paramref name="model"/>.</summary>
    static IEnumerable<(string File, Module Part, Func<bool, OnnxGraphBuilder> Build)> Graphs(WanVaeModel model, DType type) => new (string, Module, Func<bool, OnnxGraphBuilder>)[]
    {
        (WanVaeChunking.DecoderFirstGraph, model.Decoder, fused => WanVaeGraphs.BuildDecoder(model, type, firstChunk: true, fused)),
        (WanVaeChunking.DecoderGraph, model.Decoder, fused => WanVaeGraphs.BuildDecoder(model, type, firstChunk: false, fused)),
        (WanVaeChunking.EncoderFirstGraph, model.Encoder, fused => WanVaeGraphs.BuildEncoder(model, type, firstChunk: true, fused)),
        (WanVaeChunking.EncoderGraph, model.Encoder, fused => WanVaeGraphs.BuildEncoder(model, type, firstChunk: false, fused)),
    };

    static int Count(OnnxGraphBuilder g, string op) => g.Nodes.Count(n => n.OpType == op);

    [TestCase("tiny", DType.Float16)]
    [TestCase("tiny", DType.Float32)]
    [TestCase("wan2.1", DType.Float16)]
    public void ChannelRmsNormsBecomeOneNodeEach(string which, DType type)
    {
        var model = which == "tiny" ? VaeFixture.Model() : Wan21();
        foreach (var (file, part, build) in Graphs(model, type))
        {
            var portable = build(false);
            var fused = build(true);
            var norms = Descendants(part).OfType<WanVaeRmsNorm>().ToList();
            int attentionNorms = Descendants(part).OfType<WanVaeAttentionBlock>().Count();
            bool channelsLast = type == DType.Float16;
            var nodes = fused.Nodes.Where(n => n.OpType == (channelsLast ? "ChannelsLastRmsNorm" : "ChannelRmsNorm")).ToList();
            Assert.That(fused.Nodes.Count(n => n.OpType is "ChannelRmsNorm" or "ChannelsLastRmsNorm"), Is.EqualTo(nodes.Count), $"{file}: one layout per graph");
            Assert.That(Count(fused, "Transpose") - Count(portable, "Transpose"), Is.EqualTo(channelsLast ? 2 * norms.Count : 0),
                $"{file}: a transpose to channels-last and back around each channels-last norm");
            if (channelsLast)
                foreach (var norm in nodes)
                {
                    var before = fused.Nodes.Single(n => n.Output.Contains(norm.Input[0]));
                    var after = fused.Nodes.Single(n => n.Input.Contains(norm.Output[0]));
                    var toLast = before.Attribute.Single(a => a.Name == "perm").Ints.ToArray();
                    var toFirst = after.Attribute.Single(a => a.Name == "perm").Ints.ToArray();
                    Assert.That((before.OpType, after.OpType), Is.EqualTo(("Transpose", "Transpose")), $"{file}: {norm.Name}");
                    Assert.That(toLast[0] == 0 && toLast[^1] == 1, Is.True, $"{file}: channels moved last, batch first");
                    Assert.That(toLast.Select((p, i) => toFirst[p]).ToArray(), Is.EqualTo(Enumerable.Range(0, toLast.Length).ToArray()),
                        $"{file}: the second transpose undoes the first");
                }

            Assert.That(portable.Nodes.Any(n => n.Domain == FastVideoKernels.Domain), Is.False, $"{file}: the portable graph needs no custom operators");
            Assert.That(Count(portable, "ReduceL2"), Is.EqualTo(norms.Count), $"{file}: one ReduceL2 per norm in the portable graph");
            Assert.That(nodes, Has.Count.EqualTo(norms.Count), $"{file}: one fused node per RMS norm");
            Assert.That(nodes.All(n => n.Domain == FastVideoKernels.Domain && n.Input.Count == 2 && n.Output.Count == 1), Is.True);
            // every norm but the attention blocks' is followed by SiLU, which the node applies
            Assert.That(nodes.Count(n => n.Attribute.Single(a => a.Name == "silu").I == 1), Is.EqualTo(norms.Count - attentionNorms), $"{file}: norms with SiLU");
            Assert.That(nodes.Select(n => n.Attribute.Single(a => a.Name == "epsilon").F), Is.All.EqualTo((float)WanVaeRmsNorm.Eps));
            Assert.That(nodes.Select(n => n.Attribute.Single(a => a.Name == "scale").F).Distinct().Order(),
                Is.EqualTo(norms.Select(n => (float)Math.Sqrt(n.Gamma.Shape[0])).Distinct().Order()), $"{file}: scale = sqrt(channels)");

            Assert.That(Count(fused, "ReduceL2") + Count(fused, "Div") + Count(fused, "Sigmoid") + Count(fused, "QuickGelu"), Is.Zero,
                $"{file}: no normalisation or activation left outside the fused nodes");
            foreach (var op in new[] { "Conv", "MultiHeadAttention", "Resize", "Concat", "Slice", "Pad" })
                Assert.That(Count(fused, op), Is.EqualTo(Count(portable, op)), $"{file}: {op} nodes unchanged");
            Assert.That(fused.Nodes.Count, Is.LessThan(portable.Nodes.Count - 4 * norms.Count), $"{file}: fusion removes the norm chains");
            Assert.That(fused.Domains, Does.Contain(FastVideoKernels.Domain));

            // same signature: the runtime swaps the graphs without changing a binding
            string Signature(IEnumerable<global::Onnx.ValueInfoProto> values) => string.Join(";", values.Select(v => v.ToString()));
            Assert.That(Signature(fused.Inputs), Is.EqualTo(Signature(portable.Inputs)), $"{file}: inputs");
            Assert.That(Signature(fused.Outputs), Is.EqualTo(Signature(portable.Outputs)), $"{file}: outputs");
        }
    }

    [TestCase("tiny", DType.Float16)]
    [TestCase("tiny", DType.Float32)]
    [TestCase("wan2.1", DType.Float16)]
    [TestCase("wan2.1", DType.Float32)]
    public void FusedGraphsAddOnlyFloat32GammaCopies(string which, DType type)
    {
        var model = which == "tiny" ? VaeFixture.Model() : Wan21();
        var gammas = model.Parameters().Where(p => p.LocalName == "gamma").ToDictionary(p => p.Name);
        foreach (var (file, _, build) in Graphs(model, type))
        {
            var portable = build(false).Initializers.Where(i => i.SourceWeight is not null).Select(i => i.Name).ToHashSet();
            var added = build(true).Initializers.Where(i => i.SourceWeight is not null && !portable.Contains(i.Name)).ToList();
            if (type == DType.Float32)
            {
                Assert.That(added, Is.Empty, $"{file}: a float32 export's fused graph uses exactly the portable graph's weights");
                continue;
            }
            Assert.That(added, Is.Not.Empty);
            foreach (var init in added)
            {
                Assert.That(gammas.ContainsKey(init.SourceWeight!), Is.True, $"{file}: {init.Name} is not an RMS norm gamma");
                Assert.That(init.Name, Is.EqualTo(init.SourceWeight + "/fp32"));
                Assert.That(init.DType, Is.EqualTo(DType.Float32));
                Assert.That(init.ElementCount, Is.EqualTo(gammas[init.SourceWeight!].Shape[0]), "one value per channel");
            }
        }
        // all of them together: at most one float32 copy of each gamma (a few kB per norm)
        long extra = model.Parameters().Where(p => p.LocalName == "gamma").Sum(p => p.ElementCount * 4L);
        long total = model.Parameters().Sum(p => p.ElementCount * (long)type.Size());
        Assert.That(extra, Is.LessThan(total / 100), "gamma copies are small next to the weights");
    }
}
