using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Onnx;
using FastVideo.Onnx.Export.Wan;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// Operator counts per type of the tiny models' graphs, portable and fused. Moving code between the model definitions,
/// the operator interface and its lowerings must not change an exported graph; these counts (recorded from the graphs the
/// converter writes) catch a refactoring that does. A deliberate change to a lowering updates them in the same commit.
/// </summary>
public class GraphOperatorCountTests
{
    static WanTransformer3DModel Transformer(string model) =>
        new(WanTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(model, "transformer", "config.json"))));

    static Dictionary<string, int> Counts(OnnxGraphBuilder g) =>
        g.Nodes.GroupBy(n => n.Domain + "::" + n.OpType).ToDictionary(x => x.Key, x => x.Count());

    static readonly Dictionary<string, int> T2VPortable = new()
    {
        ["::Add"] = 43, ["::Cast"] = 41, ["::Concat"] = 17, ["::Conv"] = 1, ["::Cos"] = 1, ["::Expand"] = 6, ["::Gelu"] = 1,
        ["::Identity"] = 1, ["::LayerNormalization"] = 7, ["::MatMul"] = 26, ["::Mul"] = 15, ["::RMSNormalization"] = 8, ["::Reshape"] = 12,
        ["::Shape"] = 4, ["::Sigmoid"] = 2, ["::Sin"] = 1, ["::Slice"] = 6, ["::Split"] = 3, ["::Transpose"] = 2, ["::Unsqueeze"] = 2,
        ["com.microsoft::FastGelu"] = 2, ["com.microsoft::MultiHeadAttention"] = 4, ["com.microsoft::RotaryEmbedding"] = 4,
    };

    static readonly Dictionary<string, int> T2VFused = new()
    {
        ["::Add"] = 3, ["::Cast"] = 7, ["::Concat"] = 17, ["::Conv"] = 1, ["::Cos"] = 1, ["::Expand"] = 6, ["::Gelu"] = 1, ["::Identity"] = 1,
        ["::Mul"] = 6, ["::Reshape"] = 12, ["::Shape"] = 4, ["::Sigmoid"] = 2, ["::Sin"] = 1, ["::Slice"] = 6, ["::Split"] = 3, ["::Transpose"] = 2,
        ["::Unsqueeze"] = 2, ["com.fastvideo::FusedLayerNorm"] = 3, ["com.fastvideo::GatedResidual"] = 2, ["com.fastvideo::Linear"] = 26,
        ["com.fastvideo::ResidualLayerNorm"] = 4, ["com.fastvideo::RmsNormRotary"] = 8, ["com.microsoft::MultiHeadAttention"] = 4,
    };

    static readonly Dictionary<string, int> I2VPortable = new()
    {
        ["::Add"] = 50, ["::Cast"] = 46, ["::Concat"] = 18, ["::Conv"] = 1, ["::Cos"] = 1, ["::Expand"] = 6, ["::Gelu"] = 1,
        ["::Identity"] = 1, ["::LayerNormalization"] = 9, ["::MatMul"] = 32, ["::Mul"] = 15, ["::RMSNormalization"] = 10, ["::Reshape"] = 12,
        ["::Shape"] = 6, ["::Sigmoid"] = 2, ["::Sin"] = 1, ["::Slice"] = 10, ["::Split"] = 3, ["::Sub"] = 2, ["::Transpose"] = 2,
        ["::Unsqueeze"] = 2, ["com.microsoft::BiasGelu"] = 1, ["com.microsoft::FastGelu"] = 2, ["com.microsoft::MultiHeadAttention"] = 6,
        ["com.microsoft::RotaryEmbedding"] = 4,
    };

    static readonly Dictionary<string, int> I2VFused = new()
    {
        ["::Add"] = 5, ["::Cast"] = 8, ["::Concat"] = 18, ["::Conv"] = 1, ["::Cos"] = 1, ["::Expand"] = 6, ["::Gelu"] = 1, ["::Identity"] = 1,
        ["::Mul"] = 6, ["::Reshape"] = 12, ["::Shape"] = 6, ["::Sigmoid"] = 2, ["::Sin"] = 1, ["::Slice"] = 10, ["::Split"] = 3, ["::Sub"] = 2,
        ["::Transpose"] = 2, ["::Unsqueeze"] = 2, ["com.fastvideo::FusedLayerNorm"] = 5, ["com.fastvideo::GatedResidual"] = 2,
        ["com.fastvideo::Linear"] = 32, ["com.fastvideo::ResidualLayerNorm"] = 4, ["com.fastvideo::RmsNormRotary"] = 10,
        ["com.microsoft::BiasGelu"] = 1, ["com.microsoft::MultiHeadAttention"] = 6,
    };

    static readonly Dictionary<string, int> DecoderPortable = new()
    {
        ["::Add"] = 11, ["::Cast"] = 46, ["::Clip"] = 1, ["::Concat"] = 36, ["::Conv"] = 32, ["::Div"] = 22, ["::Identity"] = 25, ["::Max"] = 22,
        ["::Mul"] = 65, ["::ReduceL2"] = 22, ["::Reshape"] = 14, ["::Resize"] = 3, ["::Shape"] = 25, ["::Sigmoid"] = 21, ["::Slice"] = 36,
        ["::Split"] = 1, ["::Transpose"] = 12, ["com.microsoft::MultiHeadAttention"] = 1,
    };

    static readonly Dictionary<string, int> DecoderFusedChannelsLast = new()
    {
        ["::Add"] = 11, ["::Cast"] = 2, ["::Clip"] = 1, ["::Concat"] = 36, ["::Conv"] = 32, ["::Identity"] = 25, ["::Reshape"] = 14,
        ["::Resize"] = 3, ["::Shape"] = 25, ["::Slice"] = 36, ["::Split"] = 1, ["::Transpose"] = 56, ["com.fastvideo::ChannelsLastRmsNorm"] = 22,
        ["com.microsoft::MultiHeadAttention"] = 1,
    };

    static readonly Dictionary<string, int> DecoderFusedFloat32 = new()
    {
        ["::Add"] = 11, ["::Clip"] = 1, ["::Concat"] = 36, ["::Conv"] = 32, ["::Identity"] = 25, ["::Reshape"] = 14, ["::Resize"] = 3,
        ["::Shape"] = 25, ["::Slice"] = 36, ["::Split"] = 1, ["::Transpose"] = 12, ["com.fastvideo::ChannelRmsNorm"] = 22,
        ["com.microsoft::MultiHeadAttention"] = 1,
    };

    static readonly Dictionary<string, int> EncoderFirstPortable = new()
    {
        ["::Add"] = 7, ["::Cast"] = 30, ["::Concat"] = 8, ["::Conv"] = 21, ["::Div"] = 14, ["::Identity"] = 17, ["::Max"] = 14, ["::Mul"] = 41,
        ["::Pad"] = 14, ["::ReduceL2"] = 14, ["::Reshape"] = 10, ["::Shape"] = 17, ["::Sigmoid"] = 13, ["::Slice"] = 25, ["::Split"] = 1,
        ["::Transpose"] = 10, ["com.microsoft::MultiHeadAttention"] = 1,
    };

    static readonly Dictionary<string, int> EncoderFirstFused = new()
    {
        ["::Add"] = 7, ["::Cast"] = 2, ["::Concat"] = 8, ["::Conv"] = 21, ["::Identity"] = 17, ["::Pad"] = 14, ["::Reshape"] = 10, ["::Shape"] = 17,
        ["::Slice"] = 25, ["::Split"] = 1, ["::Transpose"] = 38, ["com.fastvideo::ChannelsLastRmsNorm"] = 14, ["com.microsoft::MultiHeadAttention"] = 1,
    };

    [TestCase(false, false)]
    [TestCase(false, true)]
    [TestCase(true, false)]
    [TestCase(true, true)]
    public void TransformerGraphsKeepTheirOperators(bool imageToVideo, bool fused)
    {
        var graph = WanTransformerGraph.Build(Transformer(imageToVideo ? Repo.TinyI2V : Repo.TinyT2V), DType.Float16, fused);
        var expected = (imageToVideo, fused) switch
        {
            (false, false) => T2VPortable,
            (false, true) => T2VFused,
            (true, false) => I2VPortable,
            _ => I2VFused,
        };
        Assert.That(Counts(graph), Is.EquivalentTo(expected));
    }

    [Test]
    public void VaeGraphsKeepTheirOperators()
    {
        var model = VaeFixture.Model();
        Assert.Multiple(() =>
        {
            Assert.That(Counts(WanVaeGraphs.BuildDecoder(model, DType.Float16, firstChunk: false)), Is.EquivalentTo(DecoderPortable));
            Assert.That(Counts(WanVaeGraphs.BuildDecoder(model, DType.Float16, firstChunk: false, fusedKernels: true)), Is.EquivalentTo(DecoderFusedChannelsLast));
            Assert.That(Counts(WanVaeGraphs.BuildDecoder(model, DType.Float32, firstChunk: false, fusedKernels: true)), Is.EquivalentTo(DecoderFusedFloat32));
            Assert.That(Counts(WanVaeGraphs.BuildEncoder(model, DType.Float16, firstChunk: true)), Is.EquivalentTo(EncoderFirstPortable));
            Assert.That(Counts(WanVaeGraphs.BuildEncoder(model, DType.Float16, firstChunk: true, fusedKernels: true)), Is.EquivalentTo(EncoderFirstFused));
        });
    }
}
