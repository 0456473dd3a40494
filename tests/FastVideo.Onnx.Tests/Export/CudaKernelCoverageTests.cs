using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Clip;
using FastVideo.Onnx.Export.Ltx;
using FastVideo.Onnx.Export.Onnx;
using FastVideo.Onnx.Export.T5;
using FastVideo.Onnx.Export.Umt5;
using FastVideo.Onnx.Export.Wan;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// Every node of every graph the converter writes for a GPU (bf16 and fp16 transformers and text encoders, fp16 and fp32
/// VAEs, portable and fused) has a kernel in ONNX Runtime's CUDA execution provider for the element type it receives. A
/// node without one falls back to the CPU, and in bfloat16, which the CPU provider mostly lacks too, the session does not
/// load at all (a bfloat16 <c>Less</c> once cost a GPU run). The table holds the types ONNX Runtime's generated
/// <c>docs/OperatorKernels.md</c> lists for the CUDA provider (commit 001d12d2, the newest row of each operator), for the
/// operators these graphs use; an operator missing from it fails the test until it is looked up and added. The
/// project's own <c>com.fastvideo</c> kernels are checked by the GPU test project.
/// </summary>
public class CudaKernelCoverageTests
{
    static readonly Dictionary<string, string> Cuda = new(StringComparer.Ordinal)
    {
        ["::Add"] = "bf16 fp64 fp32 fp16 int16 int32 int64 int8 uint8",
        ["::Cast"] = "bf16 bool fp64 fp32 fp16 int16 int32 int64 int8 uint8",
        ["::Ceil"] = "fp64 fp32 fp16",
        ["::Clip"] = "fp64 fp32 fp16 int64 int8 uint8",
        ["::Concat"] = "bf16 bool fp64 fp32 fp16 int16 int32 int64 int8 uint8",
        ["::Conv"] = "bf16 fp64 fp32 fp16",
        ["::Cos"] = "fp64 fp32 fp16",
        ["::Div"] = "bf16 fp64 fp32 fp16 int16 int32 int64 int8 uint8",
        ["::Equal"] = "bool fp64 fp32 fp16 int32 int64",
        ["::Expand"] = "bf16 bool fp64 fp32 fp16 int16 int32 int64 int8 uint8",
        ["::Gather"] = "bf16 bool fp64 fp32 fp16 int16 int32 int64 int8 uint8",
        ["::Gelu"] = "bf16 fp64 fp32 fp16",
        ["::Identity"] = "bf16 bool fp64 fp32 fp16 int16 int32 int64 int8 uint8",
        ["::LayerNormalization"] = "bf16 fp64 fp32 fp16",
        ["::Less"] = "fp64 fp32 fp16 int32 int64",
        ["::Log"] = "fp64 fp32 fp16",
        ["::MatMul"] = "bf16 fp64 fp32 fp16",
        ["::Max"] = "bf16 fp64 fp32 fp16 int32 int64",
        ["::Min"] = "bf16 fp64 fp32 fp16 int32 int64",
        ["::Mul"] = "bf16 fp64 fp32 fp16 int16 int32 int64 int8 uint8",
        ["::Pad"] = "bool fp64 fp32 fp16",
        ["::RMSNormalization"] = "bf16 fp64 fp32 fp16",
        ["::Range"] = "fp64 fp32 int16 int32 int64",
        ["::ReduceL2"] = "fp64 fp32 fp16 int32",
        ["::ReduceMean"] = "fp64 fp32 fp16 int32",
        ["::ReduceSum"] = "bf16 fp64 fp32 fp16 int32 int64",
        ["::Reshape"] = "bf16 bool fp64 fp32 fp16 int16 int32 int64 int8 uint8",
        ["::Resize"] = "fp64 fp32 fp16 int32 uint8",
        ["::Shape"] = "bf16 bool fp64 fp32 fp16 int16 int32 int64 int8 uint8",
        ["::Sigmoid"] = "bf16 fp64 fp32 fp16",
        ["::Sin"] = "fp64 fp32 fp16",
        ["::Slice"] = "bf16 bool fp64 fp32 fp16 int16 int32 int64 int8 uint8",
        ["::Softmax"] = "bf16 fp64 fp32 fp16",
        ["::Split"] = "bf16 bool fp64 fp32 fp16 int16 int32 int64 int8 uint8",
        ["::Squeeze"] = "bf16 bool fp64 fp32 fp16 int16 int32 int64 int8 uint8",
        ["::Sub"] = "bf16 fp64 fp32 fp16 int16 int32 int64 int8 uint8",
        ["::TopK"] = "fp64 fp32 fp16 int32 int64",
        ["::Transpose"] = "bf16 bool fp64 fp32 fp16 int16 int32 int64 int8 uint8",
        ["::Unsqueeze"] = "bf16 bool fp64 fp32 fp16 int16 int32 int64 int8 uint8",
        ["com.microsoft::BiasGelu"] = "bf16 fp64 fp32 fp16",
        ["com.microsoft::FastGelu"] = "bf16 fp64 fp32 fp16",
        ["com.microsoft::MultiHeadAttention"] = "bf16 fp32 fp16",
        ["com.microsoft::QuickGelu"] = "bf16 fp64 fp32 fp16",
        ["com.microsoft::RotaryEmbedding"] = "bf16 fp32 fp16",
    };

    static WanTransformerConfig WanConfig(string folder) => WanTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(folder, "config.json")));

    internal static IEnumerable<(string Graph, OnnxGraphBuilder Builder)> Graphs()
    {
        foreach (var type in new[] { DType.BFloat16, DType.Float16 })
        {
            string t = type.ShortName();
            foreach (bool fused in new[] { false, true })
            {
                yield return ($"wan t2v transformer {t}{(fused ? " fused" : "")}", WanTransformerGraph.Build(new WanTransformer3DModel(WanConfig(Path.Combine(Repo.TinyT2V, "transformer"))), type, fused));
                yield return ($"wan i2v transformer {t}{(fused ? " fused" : "")}", WanTransformerGraph.Build(new WanTransformer3DModel(WanConfig(Path.Combine(Repo.TinyI2V, "transformer"))), type, fused));
                yield return ($"fastwan transformer {t}{(fused ? " fused" : "")}", WanTransformerGraph.Build(new WanTransformer3DModel(WanConfig(FastWanFixture.Transformer), WanVsaGatePlacement.Block), type, fused));
                yield return ($"wan2.2 ti2v transformer {t}{(fused ? " fused" : "")}", WanTransformerGraph.Build(new WanTransformer3DModel(WanConfig(Path.Combine(Wan22Fixture.Ti2v, "transformer")), perTokenTimesteps: true), type, fused));
            }
            yield return ($"umt5 {t}", Umt5EncoderGraph.Build(Umt5Fixture.Model(), type));
            yield return ($"ltx transformer {t}", LtxTransformerGraph.Build(new LtxTransformer3DModel(LtxTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(LtxFixture.Transformer, "config.json")))), type));
            yield return ($"t5 {t}", Umt5EncoderGraph.Build(new T5EncoderModel(Umt5Config.FromJson(JsonConfig.Load(Path.Combine(LtxFixture.TextEncoder, "config.json")))), type));
            yield return ($"clip vision {t}", ClipVisionGraph.Build(new ClipVisionModel(ClipVisionConfig.FromJson(JsonConfig.Load(Path.Combine(Repo.TinyI2V, "image_encoder", "config.json"))), prefix: ""), type));
        }
        foreach (var type in new[] { DType.Float16, DType.Float32 })
        {
            string t = type.ShortName();
            var wan = VaeFixture.Model();
            var wan22 = Wan22Fixture.Vae22Model();
            foreach (bool fused in new[] { false, true })
                foreach (bool first in new[] { false, true })
                {
                    string name = $"{t}{(fused ? " fused" : "")}{(first ? " first" : "")}";
                    yield return ($"wan vae decoder {name}", WanVaeGraphs.BuildDecoder(wan, type, first, fused));
                    yield return ($"wan vae encoder {name}", WanVaeGraphs.BuildEncoder(wan, type, first, fused));
                    yield return ($"wan2.2 vae decoder {name}", WanVaeGraphs.BuildDecoder(wan22, type, first, fused));
                    yield return ($"wan2.2 vae encoder {name}", WanVaeGraphs.BuildEncoder(wan22, type, first, fused));
                }
            var ltx = new AutoencoderKLLtxVideo(LtxVaeConfig.FromJson(JsonConfig.Load(Path.Combine(LtxFixture.Vae, "config.json"))));
            yield return ($"ltx vae decoder {t}", LtxVaeGraphs.Decoder(ltx, type));
            yield return ($"ltx vae encoder {t}", LtxVaeGraphs.Encoder(ltx, type));
        }
    }

    /// <summary>The nodes of <paramref name="builder"/>'s graph that the CUDA provider has no kernel for, one line each.</summary>
    static IEnumerable<string> Uncovered(string graph, OnnxGraphBuilder builder)
    {
        foreach (var node in builder.Nodes)
        {
            if (node.Domain == FastVideoKernels.Domain) continue;
            string op = $"{node.Domain}::{node.OpType}";
            // The data input whose element type picks the kernel: the first input (Cast's input, Less's operands).
            var type = builder.ValueTypes[node.Input[0]].ShortName();
            if (!Cuda.TryGetValue(op, out var types))
                yield return $"{graph}: {node.Name} is {op}, not in the table (look it up in OperatorKernels.md)";
            else if (!types.Split(' ').Contains(type))
                yield return $"{graph}: {node.Name} is {op} on {type}, which the CUDA provider has no kernel for ({types})";
        }
    }

    [Test]
    public void EveryNodeHasACudaKernelForItsType()
    {
        var graphs = Graphs().ToList();
        Assert.That(graphs.Sum(g => g.Builder.Nodes.Count), Is.GreaterThan(1000), "the graphs were built");
        var missing = graphs.SelectMany(g => Uncovered(g.Graph, g.Builder)).ToList();
        Assert.That(missing, Is.Empty, string.Join("\n", missing.Take(20)));
    }

    /// <summary>The check finds what it is for: a bfloat16 Less, as the per-token modulation once had.</summary>
    [Test]
    public void ABfloat16LessIsReported()
    {
        var builder = new OnnxGraphBuilder(DType.BFloat16);
        var x = builder.Input("x", DType.BFloat16, 1);
        builder.Output(builder.Node("Less", new[] { x, x }, DType.Bool), "y", 1);
        Assert.That(Uncovered("test", builder).ToList(), Has.One.Contains("::Less on bf16"));
    }
}
