using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;
using FastVideo.Onnx.Export.Onnx;
using FastVideo.Onnx.Export.Wan;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// The fused-kernel lowering of the transformer: the compound operators become single com.fastvideo nodes, and nothing
/// else changes. The kernels themselves are CUDA-only: tests/FastVideo.Onnx.Gpu.Tests checks each against its reference composition.
/// </summary>
public class FusedKernelGraphTests
{
    static WanTransformer3DModel Tiny() =>
        new(WanTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(Repo.TinyT2V, "transformer", "config.json"))));

    [Test]
    public void CompoundOperatorsBecomeOneNodeEach()
    {
        var model = Tiny();
        var portable = WanTransformerGraph.Build(model, DType.BFloat16);
        var fused = WanTransformerGraph.Build(model, DType.BFloat16, fusedKernels: true);
        int layers = model.Config.NumLayers;
        int Count(OnnxGraphBuilder g, string op) => g.Nodes.Count(n => n.OpType == op);

        Assert.That(portable.Nodes.Any(n => n.Domain == FastVideoKernels.Domain), Is.False, "the portable graph needs no custom operators");
        // per block: norm1 alone; norm2 and norm3 fused with the residual update before them; plus norm_out
        Assert.That(Count(fused, "FusedLayerNorm"), Is.EqualTo(layers + 1));
        Assert.That(Count(fused, "ResidualLayerNorm"), Is.EqualTo(2 * layers));
        // per block: the feed-forward residual
        Assert.That(Count(fused, "GatedResidual"), Is.EqualTo(layers));
        // per block: q and k of both attentions
        Assert.That(Count(fused, "RmsNormRotary"), Is.EqualTo(4 * layers));
        // every linear layer is one cuBLASLt matmul with its bias (and, in the feed-forward, GELU) in the epilogue
        Assert.That(Count(fused, "Linear"), Is.EqualTo(Count(portable, "MatMul")));
        Assert.That(fused.Nodes.Where(n => n.OpType == "Linear").Count(n => n.Attribute.Single(a => a.Name == "activation").S.ToStringUtf8() == "gelu_tanh"),
            Is.EqualTo(layers));
        Assert.That(Count(fused, "MatMul") + Count(fused, "BiasGeluTanh") + Count(fused, "FastGelu"), Is.Zero);
        Assert.That(Count(fused, "LayerNormalization") + Count(fused, "RMSNormalization") + Count(fused, "RotaryEmbedding"), Is.Zero);
        Assert.That(Count(fused, "MultiHeadAttention"), Is.EqualTo(Count(portable, "MultiHeadAttention")));
        Assert.That(fused.Nodes.Count, Is.LessThan(portable.Nodes.Count), "fusion removes elementwise nodes");
    }

    [Test]
    public void PerTokenModulationTakesTheSameKernels()
    {
        // Wan2.2 TI2V: every block's scale, shift and gate are [B, S, C] (one vector per token); the kernels index them by row
        var model = new WanTransformer3DModel(WanTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(Wan22Fixture.Ti2v, "transformer", "config.json"))),
            perTokenTimesteps: true);
        var fused = WanTransformerGraph.Build(model, DType.BFloat16, fusedKernels: true);
        int layers = model.Config.NumLayers;
        int Count(string op) => fused.Nodes.Count(n => n.OpType == op && n.Domain == FastVideoKernels.Domain);
        Assert.That(Count("FusedLayerNorm"), Is.EqualTo(layers + 1));
        Assert.That(Count("ResidualLayerNorm"), Is.EqualTo(2 * layers));
        Assert.That(Count("GatedResidual"), Is.EqualTo(layers));
        Assert.That(fused.Nodes.Count(n => n.OpType is "LayerNormalization" or "RMSNormalization" or "RotaryEmbedding"), Is.Zero);
        Assert.That(WanTransformerGraph.Contract(model).GraphFiles, Is.EqualTo(new[] { WanTransformerExporter.GraphFile, WanTransformerExporter.FusedGraphFile }));
    }

    static WanTransformer3DModel FastWan(int? headDim = null)
    {
        var config = WanTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(FastWanFixture.Transformer, "config.json")));
        return new(headDim is int d ? config with { AttentionHeadDim = d } : config, WanVsaGatePlacement.Block);
    }

    [TestCase(DType.BFloat16, 128)]
    [TestCase(DType.Float16, 64)]
    public void VideoSparseAttentionBecomesOneNodePerBlock(DType type, int headDim)
    {
        var model = FastWan(headDim);
        var portable = WanTransformerGraph.Build(model, type);
        var fused = WanTransformerGraph.Build(model, type, fusedKernels: true);
        int Count(OnnxGraphBuilder g, string op) => g.Nodes.Count(n => n.OpType == op);

        var vsa = fused.Nodes.Where(n => n.OpType == FastVideoKernels.VideoSparseAttention.Name).ToList();
        Assert.That(vsa, Has.Count.EqualTo(model.Config.NumLayers), "one operator per block's self-attention");
        Assert.That(vsa.All(n => n.Domain == FastVideoKernels.Domain && n.Input.Count == FastVideoKernels.VideoSparseAttention.Inputs.Count), Is.True);
        Assert.That(vsa.Select(n => n.Attribute.Single(a => a.Name == "num_heads").I), Is.All.EqualTo(model.Config.NumAttentionHeads));
        Assert.That(Count(portable, "TopK"), Is.EqualTo(model.Config.NumLayers), "the portable graph keeps the reference composition");
        Assert.That(Count(fused, "TopK"), Is.Zero, "the fused graph has none of it");
        // cross-attention stays dense
        Assert.That(Count(fused, "MultiHeadAttention"), Is.EqualTo(model.Config.NumLayers));
    }

    [Test]
    public void VideoSparseAttentionKeepsTheCompositionWhereTheKernelDoesNotRunTheShape()
    {
        var tiny = FastWan();  // head size 24
        Assert.That(FastVideoKernels.VideoSparseAttentionSupports(DType.BFloat16, tiny.Config.AttentionHeadDim), Is.False);
        var portable = WanTransformerGraph.Build(tiny, DType.BFloat16);
        var fused = WanTransformerGraph.Build(tiny, DType.BFloat16, fusedKernels: true);
        Assert.That(fused.Nodes.Count(n => n.OpType == FastVideoKernels.VideoSparseAttention.Name), Is.Zero);
        Assert.That(fused.Nodes.Count(n => n.OpType == "TopK"), Is.EqualTo(portable.Nodes.Count(n => n.OpType == "TopK")).And.EqualTo(tiny.Config.NumLayers));
        var float32 = WanTransformerGraph.Build(FastWan(128), DType.Float32, fusedKernels: true);
        Assert.That(float32.Nodes.Count(n => n.OpType == FastVideoKernels.VideoSparseAttention.Name), Is.Zero, "the kernel has no float32 path");
    }

    [Test]
    public void FusedGraphReusesThePortableGraphsWeights()
    {
        var model = Tiny();
        var portable = WanTransformerGraph.Build(model, DType.Float16).Initializers.Where(i => i.SourceWeight is not null).Select(i => i.Name).ToHashSet();
        var fused = WanTransformerGraph.Build(model, DType.Float16, fusedKernels: true).Initializers.Where(i => i.SourceWeight is not null).Select(i => i.Name).ToList();
        Assert.That(fused.Where(n => !portable.Contains(n)), Is.Empty, "every weight of the fused graph is already in the shared data file");
    }

    [Test]
    public void ProjectionBiasFoldsIntoTheCompoundOperatorThatConsumesIt()
    {
        var projection = new Linear(8, 8);
        ITensorOps<OnnxValue> g = new FusedKernelGraphBuilder(DType.Float16);
        var builder = (OnnxGraphBuilder)g;
        var x = builder.Input("x", DType.Float16, 1, 4, 8);
        var residual = g.GatedResidual(x, g.Linear(x, projection.Weight, projection.Bias), null);
        var plain = g.Add(g.Linear(x, projection.Weight, projection.Bias), residual);
        builder.Output(plain, "y", 1, 4, 8);

        var linears = builder.Nodes.Where(n => n.OpType == FastVideoKernels.Linear.Name).ToList();
        var gated = builder.Nodes.Single(n => n.OpType == FastVideoKernels.GatedResidual.Name);
        Assert.That(linears, Has.Count.EqualTo(2));
        Assert.That(linears[0].Input[2], Is.Empty, "the first projection's bias went to the residual kernel");
        Assert.That(gated.Input[2], Is.EqualTo(projection.Bias!.Name));
        Assert.That(linears[1].Input[2], Is.EqualTo(projection.Bias!.Name), "a projection read by a plain operator keeps its bias in the epilogue");
        Assert.That(builder.Nodes.Select(n => n.OpType), Is.EqualTo(new[] { "Linear", "GatedResidual", "Linear", "Add", "Identity" }));
    }

    [Test]
    public void AProjectionWhoseBiasWasFoldedCannotBeReadAgain()
    {
        var projection = new Linear(8, 8);
        ITensorOps<OnnxValue> g = new FusedKernelGraphBuilder(DType.Float32);
        var x = ((OnnxGraphBuilder)g).Input("x", DType.Float32, 1, 4, 8);
        var y = g.Linear(x, projection.Weight, projection.Bias);
        g.GatedResidual(x, y, null);
        var error = Assert.Throws<InvalidOperationException>(() => g.Add(y, x));
        Assert.That(error!.Message, Does.Contain("bias was folded"));
    }
}
