using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Ltx;
using FastVideo.Onnx.Export.Onnx;
using FastVideo.Onnx.Export.T5;
using FastVideo.Onnx.Export.Umt5;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// Operator counts per type of the T5-family text encoder graphs (UMT5 of the Wan fixture, T5 of the LTX fixture) and of
/// the LTX graphs, as <see cref="GraphOperatorCountTests"/> pins Wan's: a refactoring that moves code between the
/// definitions and the operator interface must leave them unchanged. The UMT5 counts are those of the graph before the
/// encoder stack was shared with T5.
/// </summary>
public class LtxGraphOperatorCountTests
{
    static Dictionary<string, int> Counts(OnnxGraphBuilder g) =>
        g.Nodes.GroupBy(n => n.Domain + "::" + n.OpType).ToDictionary(x => x.Key, x => x.Count());

    static readonly Dictionary<string, int> Umt5 = new()
    {
        ["::Add"] = 7, ["::Cast"] = 1, ["::Gather"] = 4, ["::Gelu"] = 2, ["::Identity"] = 1, ["::MatMul"] = 14, ["::Max"] = 1, ["::Min"] = 1,
        ["::Mul"] = 3, ["::RMSNormalization"] = 5, ["::Range"] = 1, ["::Shape"] = 1, ["::Squeeze"] = 1, ["::Sub"] = 2, ["::Transpose"] = 2,
        ["::Unsqueeze"] = 5, ["com.microsoft::MultiHeadAttention"] = 2,
    };

    // one bias table fewer than UMT5 with the same two layers: one Gather, Transpose, Unsqueeze and Add fewer
    static readonly Dictionary<string, int> T5 = new()
    {
        ["::Add"] = 6, ["::Cast"] = 1, ["::Gather"] = 3, ["::Gelu"] = 2, ["::Identity"] = 1, ["::MatMul"] = 14, ["::Max"] = 1, ["::Min"] = 1,
        ["::Mul"] = 3, ["::RMSNormalization"] = 5, ["::Range"] = 1, ["::Shape"] = 1, ["::Squeeze"] = 1, ["::Sub"] = 2, ["::Transpose"] = 1,
        ["::Unsqueeze"] = 4, ["com.microsoft::MultiHeadAttention"] = 2,
    };

    // The self-attention rotation runs per head (LtxAttention.PerHeadTables): two table reshapes, and two reshapes
    // around each of the q and k rotations of the two blocks.
    static readonly Dictionary<string, int> LtxTransformer = new()
    {
        ["::Add"] = 44, ["::Cast"] = 4, ["::Concat"] = 8, ["::Cos"] = 2, ["::Div"] = 3, ["::Expand"] = 4, ["::Gelu"] = 1, ["::Identity"] = 1,
        ["::LayerNormalization"] = 1, ["::MatMul"] = 27, ["::Mul"] = 22, ["::RMSNormalization"] = 12, ["::Range"] = 3, ["::Reshape"] = 19,
        ["::Shape"] = 3, ["::Sigmoid"] = 2, ["::Sin"] = 2, ["::Slice"] = 4, ["::Split"] = 3, ["::Squeeze"] = 17, ["::Sub"] = 2, ["::Unsqueeze"] = 5,
        ["com.microsoft::FastGelu"] = 2, ["com.microsoft::MultiHeadAttention"] = 4, ["com.microsoft::RotaryEmbedding"] = 4,
    };

    static readonly Dictionary<string, int> LtxDecoder = new()
    {
        ["::Add"] = 42, ["::Concat"] = 35, ["::Conv"] = 13, ["::Cos"] = 5, ["::Div"] = 1, ["::Identity"] = 1, ["::MatMul"] = 10, ["::Mul"] = 52,
        ["::RMSNormalization"] = 9, ["::Reshape"] = 27, ["::Shape"] = 28, ["::Sigmoid"] = 14, ["::Sin"] = 5, ["::Slice"] = 32, ["::Split"] = 5,
        ["::Squeeze"] = 18, ["::Sub"] = 1, ["::Transpose"] = 25, ["::Unsqueeze"] = 5,
    };

    [Test]
    public void TextEncoderGraphsKeepTheirOperators()
    {
        Assert.That(Counts(Umt5EncoderGraph.Build(Umt5Fixture.Model(), DType.Float32)), Is.EquivalentTo(Umt5), "UMT5 (Wan fixture)");
        var t5 = new T5EncoderModel(Umt5Config.FromJson(JsonConfig.Load(Path.Combine(LtxFixture.TextEncoder, "config.json"))));
        Assert.That(Counts(Umt5EncoderGraph.Build(t5, DType.Float32)), Is.EquivalentTo(T5), "T5 (LTX fixture)");
    }

    [Test]
    public void LtxGraphsKeepTheirOperators()
    {
        var transformer = new LtxTransformer3DModel(LtxTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(LtxFixture.Transformer, "config.json"))));
        Assert.That(Counts(LtxTransformerGraph.Build(transformer, DType.Float32)), Is.EquivalentTo(LtxTransformer), "LTX transformer");
        var vae = new AutoencoderKLLtxVideo(LtxVaeConfig.FromJson(JsonConfig.Load(Path.Combine(LtxFixture.Vae, "config.json"))));
        Assert.That(Counts(LtxVaeGraphs.Decoder(vae, DType.Float32)), Is.EquivalentTo(LtxDecoder), "LTX VAE decoder");
    }
}
