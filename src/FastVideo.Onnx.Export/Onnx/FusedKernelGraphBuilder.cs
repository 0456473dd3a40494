using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using Onnx;

namespace FastVideo.Onnx.Export.Onnx;

/// <summary>
/// The graph builder of the fused graphs: the one place where compound operators (and linear layers) are lowered to
/// the <see cref="FastVideoKernels"/> library (native/fastvideo_kernels, CUDA); every other operator is written as in the
/// portable graph. The runtime loads a fused graph only where that library is available, and falls back to the portable
/// graph otherwise.
///
/// Model code applies each projection's bias where Diffusers does (<c>to_q(x)</c>, <c>to_out(attn)</c>). When the next
/// operator is a compound one whose kernel takes a bias (RMSNorm + RoPE, gated residual, residual + LayerNorm), the bias
/// is folded into that kernel instead of the matmul's epilogue: a projection with a bias is held back until the next node
/// is written, and the compound operator that consumes it takes the bias (<see cref="FoldBias"/>).
/// </summary>
internal sealed class FusedKernelGraphBuilder : OnnxGraphBuilder, ITensorOps<OnnxValue>
{
    PendingLinear? _pending;
    readonly HashSet<string> _folded = new(StringComparer.Ordinal);
    string? _folding;

    public FusedKernelGraphBuilder(DType computeType, int opset = DefaultOpset) : base(computeType, opset)
    {
    }

    /// <summary>
    /// Write channel norms channels-last: <c>Transpose → ChannelsLastRmsNorm → Transpose</c>. On the CUDA provider with
    /// channels-last convolutions (<c>prefer_nhwc</c>), ONNX Runtime's transpose optimiser cancels these transposes against
    /// the ones it puts around each convolution, so activations stay channels-last between convolutions instead of being
    /// converted back and forth around every norm.
    /// </summary>
    public bool ChannelsLastNorms { get; init; }

    /// <summary>A projection <c>x @ weight + bias</c> whose node is not written yet (see the class summary).</summary>
    sealed record PendingLinear(string NodeName, OnnxValue X, OnnxValue Weight, Parameter Bias, OnnxValue BiasValue, OnnxValue Output);

    // ---- linear layers: one cuBLASLt matmul with the bias (and activation) in its epilogue ----

    OnnxValue ITensorOps<OnnxValue>.Linear(OnnxValue x, Parameter weight, Parameter? bias)
    {
        if (bias is null) return FusedLinear(x, weight, null, "none");
        WritePending();
        var w = WeightAs(weight, x.DType, transposed: true);
        var b = WeightAs(bias, x.DType);
        string name = ReserveNodeName(FastVideoKernels.Linear.Name);
        _pending = new PendingLinear(name, x, w, bias, b, new OnnxValue(name + ":0", x.DType));
        return _pending.Output;
    }

    OnnxValue ITensorOps<OnnxValue>.LinearGelu(OnnxValue x, Parameter weight, Parameter bias, bool tanhApproximation) =>
        // the kernel's epilogue has GELU-tanh only; exact GELU stays ONNX Runtime's BiasGelu after the fused matmul
        tanhApproximation ? FusedLinear(x, weight, bias, "gelu_tanh") : LinearGelu(x, weight, bias, tanhApproximation);

    OnnxValue FusedLinear(OnnxValue x, Parameter weight, Parameter? bias, string activation) =>
        Kernel(FastVideoKernels.Linear, new[] { x, WeightAs(weight, x.DType, transposed: true), bias is null ? null : WeightAs(bias, x.DType) },
            x.DType, Attr("activation", activation));

    protected override void BeforeNode(IReadOnlyList<OnnxValue?> inputs)
    {
        foreach (var input in inputs)
            if (input is not null && input.Name != _folding && _folded.Contains(input.Name))
                throw new InvalidOperationException($"'{input.Name}' is a projection whose bias was folded into the operator that consumed it; it has no other use");
        WritePending();
    }

    void WritePending(bool withBias = true)
    {
        if (_pending is not { } p) return;
        _pending = null;
        var node = new NodeProto { Name = p.NodeName, OpType = FastVideoKernels.Linear.Name, Domain = FastVideoKernels.Domain };
        node.Input.Add(p.X.Name);
        node.Input.Add(p.Weight.Name);
        node.Input.Add(withBias ? p.BiasValue.Name : "");
        node.Output.Add(p.Output.Name);
        node.Attribute.Add(Attr("activation", "none"));
        AppendNode(node, p.Output.DType);
    }

    /// <summary>
    /// When <paramref name="y"/> is the held-back projection, writes it without its bias and returns the bias (for the
    /// compound operator being lowered to take), else null. Disposing the result ends that operator: <paramref name="y"/>
    /// then lacks its bias, so any further use of it is an error.
    /// </summary>
    IDisposable FoldBias(OnnxValue y, out Parameter? bias)
    {
        bias = null;
        if (_pending is null || _pending.Output.Name != y.Name) return new FoldScope(this, null);
        bias = _pending.Bias;
        WritePending(withBias: false);
        _folding = y.Name;
        return new FoldScope(this, y.Name);
    }

    sealed class FoldScope(FusedKernelGraphBuilder owner, string? name) : IDisposable
    {
        public void Dispose()
        {
            if (name is null) return;
            owner._folded.Add(name);
            owner._folding = null;
        }
    }

    OnnxValue Kernel(KernelOperator op, OnnxValue?[] inputs, DType outputType, params AttributeProto[] attributes) =>
        Kernel(op, inputs, new[] { outputType }, attributes)[0];

    OnnxValue[] Kernel(KernelOperator op, OnnxValue?[] inputs, DType[] outputTypes, params AttributeProto[] attributes)
    {
        if (inputs.Length != op.Inputs.Count || outputTypes.Length != op.Outputs ||
            !attributes.Select(a => a.Name).Order(StringComparer.Ordinal).SequenceEqual(op.Attributes.Order(StringComparer.Ordinal)))
            throw new InvalidOperationException($"{FastVideoKernels.Domain}.{op.Name} takes {op.Inputs.Count} inputs, {op.Outputs} outputs and the attributes " +
                                                $"[{string.Join(", ", op.Attributes)}]");
        return NodeMulti(op.Name, inputs, outputTypes, FastVideoKernels.Domain, attributes);
    }

    // ---- compound operators ----

    OnnxValue ITensorOps<OnnxValue>.ModulatedLayerNorm(OnnxValue x, long size, Parameter? weight, Parameter? bias, double eps, OnnxValue? scale, OnnxValue? shift) =>
        Kernel(FastVideoKernels.FusedLayerNorm, new[]
        {
            x, weight is null ? null : WeightAs(weight, DType.Float32), bias is null ? null : WeightAs(bias, DType.Float32),
            scale is null ? null : Cast(scale, DType.Float32), shift is null ? null : Cast(shift, DType.Float32),
        }, x.DType, Attr("epsilon", (float)eps));

    OnnxValue ITensorOps<OnnxValue>.GatedResidual(OnnxValue x, OnnxValue y, OnnxValue? gate)
    {
        using var _ = FoldBias(y, out var bias);
        return Kernel(FastVideoKernels.GatedResidual,
            new[] { x, Cast(y, x.DType), bias is null ? null : WeightAs(bias, x.DType), gate is null ? null : Cast(gate, DType.Float32) }, x.DType);
    }

    (OnnxValue Residual, OnnxValue Normed) ITensorOps<OnnxValue>.ResidualLayerNorm(OnnxValue x, OnnxValue y, OnnxValue? gate, long size,
        Parameter? weight, Parameter? normBias, double eps, OnnxValue? scale, OnnxValue? shift)
    {
        using var _ = FoldBias(y, out var bias);
        var outputs = Kernel(FastVideoKernels.ResidualLayerNorm, new[]
        {
            x, Cast(y, x.DType), bias is null ? null : WeightAs(bias, x.DType), gate is null ? null : Cast(gate, DType.Float32),
            weight is null ? null : WeightAs(weight, DType.Float32), normBias is null ? null : WeightAs(normBias, DType.Float32),
            scale is null ? null : Cast(scale, DType.Float32), shift is null ? null : Cast(shift, DType.Float32),
        }, new[] { x.DType, x.DType }, Attr("epsilon", (float)eps));
        return (outputs[0], outputs[1]);
    }

    OnnxValue ITensorOps<OnnxValue>.RmsNormRotary(OnnxValue y, long size, Parameter weight, double eps, (OnnxValue Cos, OnnxValue Sin)? rotary, int heads)
    {
        using var _ = FoldBias(y, out var bias);
        return Kernel(FastVideoKernels.RmsNormRotary, new[]
        {
            y, bias is null ? null : WeightAs(bias, y.DType), WeightAs(weight, y.DType),
            rotary is var (c, _) ? Cast(c, DType.Float32) : null, rotary is var (_, s) ? Cast(s, DType.Float32) : null,
        }, y.DType, Attr("epsilon", (float)eps), Attr("num_heads", heads));
    }

    /// <summary>
    /// One <c>VideoSparseAttention</c> node where the kernel runs the shape (float16/bfloat16, head size 64 or 128); any
    /// other shape keeps the reference composition of the portable graph.
    /// </summary>
    OnnxValue ITensorOps<OnnxValue>.VideoSparseAttention(OnnxValue q, OnnxValue k, OnnxValue v, OnnxValue gate, int heads, int headDim,
        OnnxValue frames, OnnxValue height, OnnxValue width, OnnxValue sparsity)
    {
        if (!FastVideoKernels.VideoSparseAttentionSupports(q.DType, headDim))
            return Modeling.VideoSparseAttention.Forward<OnnxValue>(this, q, k, v, gate, heads, headDim, frames, height, width, sparsity);
        return Kernel(FastVideoKernels.VideoSparseAttention, new[]
        {
            q, Cast(k, q.DType), Cast(v, q.DType), Cast(gate, q.DType), Cast(frames, DType.Int64), Cast(height, DType.Int64), Cast(width, DType.Int64),
            Cast(sparsity, DType.Float32),
        }, q.DType, Attr("num_heads", heads));
    }

    /// <summary>
    /// <c>ChannelRmsNorm(x, gamma)</c> with x [B, C, *spatial] in the compute type and gamma the checkpoint's [C, 1, ...]
    /// weight in float32 (C values; for a float32 export the very initializer the portable graph uses). With
    /// <see cref="ChannelsLastNorms"/>, <c>ChannelsLastRmsNorm</c> over x transposed to [B, *spatial, C].
    /// </summary>
    OnnxValue ITensorOps<OnnxValue>.ChannelRmsNorm(OnnxValue x, Parameter gamma, double scale, double eps, bool silu)
    {
        var attributes = new[] { Attr("scale", (float)scale), Attr("epsilon", (float)eps), Attr("silu", silu ? 1 : 0) };
        if (!ChannelsLastNorms)
            return Kernel(FastVideoKernels.ChannelRmsNorm, new[] { x, WeightAs(gamma, DType.Float32) }, x.DType, attributes);
        int rank = gamma.Shape.Length + 1;  // gamma is [C, 1, ...] with one 1 per spatial dim of x
        int[] toLast = new[] { 0 }.Concat(Enumerable.Range(2, rank - 2)).Append(1).ToArray();
        int[] toFirst = new[] { 0, rank - 1 }.Concat(Enumerable.Range(1, rank - 2)).ToArray();
        var normed = Kernel(FastVideoKernels.ChannelsLastRmsNorm, new[] { Transpose(x, toLast), WeightAs(gamma, DType.Float32) }, x.DType, attributes);
        return Transpose(normed, toFirst);
    }
}
