using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Wan;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;
using TorchSharp;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>The Wan transformer definition, run eagerly in TorchSharp (fp32, CPU), against Diffusers' outputs.</summary>
public class WanTransformerEagerTests
{
    [TestCase(999, "prompt_embeds", "transformer_out_t999")]
    [TestCase(500, "negative_prompt_embeds", "transformer_out_t500")]
    public void EagerForwardMatchesDiffusers(int timestep, string context, string expected)
    {
        string folder = Path.Combine(Repo.TinyT2V, "transformer");
        var model = new WanTransformer3DModel(WanTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(folder, "config.json"))));
        using var archive = WeightArchive.Open(folder);
        model.CheckWeights(archive);
        using var scope = torch.NewDisposeScope();
        var ops = TorchReference.Ops(archive, DType.Float32, out var weights);
        using (weights)
        {
            var output = model.Forward(ops,
                TorchReference.FromRef(Reference.Get("latents_init")),
                torch.tensor(new float[] { timestep }),
                TorchReference.FromRef(Reference.Get(context)));
            var (data, shape) = TorchReference.ToHost(output);
            Compare.Close(data, shape, Reference.Get(expected), 1e-4, $"eager transformer t={timestep}");
        }
    }

    [Test]
    public void EagerBFloat16ForwardAgrees()
    {
        string folder = Path.Combine(Repo.TinyT2V, "transformer");
        var model = new WanTransformer3DModel(WanTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(folder, "config.json"))));
        using var archive = WeightArchive.Open(folder);
        using var scope = torch.NewDisposeScope();
        var ops = TorchReference.Ops(archive, DType.BFloat16, out var weights);
        using (weights)
        {
            var output = model.Forward(ops, TorchReference.FromRef(Reference.Get("latents_init")), torch.tensor(new float[] { 999 }),
                TorchReference.FromRef(Reference.Get("prompt_embeds")));
            Compare.Similar(TorchReference.ToHost(output).Data, Reference.Get("transformer_out_t999"), 0.999, "eager bf16 transformer t=999");
        }
    }
}
