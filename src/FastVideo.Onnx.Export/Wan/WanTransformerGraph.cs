using FastVideo.Onnx.Core.Contracts;
using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Onnx;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// The transformer's ONNX graphs, their signature written from <see cref="WanTransformerContract"/> (all float32 at the
/// boundary whatever the compute precision, so callers never convert).
/// </summary>
internal static class WanTransformerGraph
{
    public const string HiddenStates = WanTransformerContract.HiddenStates;
    public const string Timestep = WanTransformerContract.Timestep;
    public const string EncoderHiddenStates = WanTransformerContract.EncoderHiddenStates;
    public const string EncoderHiddenStatesImage = WanTransformerContract.EncoderHiddenStatesImage;
    public const string Sample = WanTransformerContract.Sample;
    public const string VsaSparsity = WanTransformerContract.VsaSparsity;

    /// <summary>The contract of <paramref name="model"/>'s graphs (sizes from its config).</summary>
    public static WanTransformerContract Contract(WanTransformer3DModel model)
    {
        var c = model.Config;
        return new(c.InChannels, c.OutChannels, c.TextDim, c.ImageDim, c.PatchSize, model.PerTokenTimesteps ? TimestepLayout.PerToken : TimestepLayout.PerSample);
    }

    /// <param name="fusedKernels">Emit the DiT compound operators as nodes of the CUDA kernel library (see <see cref="FusedKernelGraphBuilder"/>).</param>
    /// <param name="denseAttention">Export a VSA model with dense self-attention (its gates unused, no <c>vsa_sparsity</c> input).</param>
    public static OnnxGraphBuilder Build(WanTransformer3DModel model, DType computeType, bool fusedKernels = false, bool denseAttention = false)
    {
        var contract = Contract(model).Graph(fusedKernels ? WanTransformerContract.FusedGraph : WanTransformerContract.PortableGraph,
            vsa: model.UsesVsa && !denseAttention);
        var g = fusedKernels ? new FusedKernelGraphBuilder(computeType) : new OnnxGraphBuilder(computeType);
        var inputs = contract.Inputs.ToDictionary(i => i.Name, i => g.Input(i));
        var sample = model.Forward(g, inputs[HiddenStates], inputs[Timestep], inputs[EncoderHiddenStates],
            inputs.GetValueOrDefault(EncoderHiddenStatesImage), inputs.GetValueOrDefault(VsaSparsity));
        g.Output(sample, contract.Outputs.Single());
        return g;
    }

    /// <summary>
    /// The per-rank graph of a sequence-parallel forward over <paramref name="worldSize"/> ranks (portable operators and
    /// <c>com.fastvideo.AllToAll</c>; see <see cref="WanTransformerContract.SequenceParallel"/>).
    /// </summary>
    public static OnnxGraphBuilder BuildSequenceParallel(WanTransformer3DModel model, DType computeType, int worldSize)
    {
        var contract = Contract(model).SequenceParallel(worldSize, vsa: model.UsesVsa);
        var g = new OnnxGraphBuilder(computeType);
        var inputs = contract.Inputs.ToDictionary(i => i.Name, i => g.Input(i));
        var shard = new Modeling.SequenceShard<OnnxValue>(worldSize, inputs[WanTransformerContract.SequenceRank], inputs[WanTransformerContract.SequenceGroup]);
        var sample = model.Forward(g, inputs[HiddenStates], inputs[Timestep], inputs[EncoderHiddenStates],
            inputs.GetValueOrDefault(EncoderHiddenStatesImage), inputs.GetValueOrDefault(VsaSparsity), shard);
        g.Output(sample, contract.Outputs.Single());
        return g;
    }
}
