using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Modeling;

/// <summary>
/// The operators a component's forward is written against. Each model is written once, as generic code over
/// this interface, and runs on two implementations: TorchSharp eager (<c>TorchOps</c>, the numerical reference
/// that parity tests compare with Diffusers) and the ONNX graph builder (<c>OnnxGraphBuilder</c>, which emits the
/// same computation as ONNX nodes, choosing fused ONNX Runtime operators where they exist).
///
/// The compound operators at the end (modulated LayerNorm, gated residual, RMSNorm + RoPE, ...) are default methods
/// whose body is their definition in primitives: both backends inherit it, and a backend overrides one only to lower it
/// to a fused kernel computing the same function. Fusion therefore never changes a model's code.
///
/// Semantics follow ONNX: shapes may be dynamic, so shape arithmetic is done on int64 tensors
/// (<see cref="Shape"/>, <see cref="Reshape(T,T)"/>); binary operators broadcast numpy-style and promote a
/// 16-bit float operand to float32 when the other is float32, as torch does.
/// </summary>
internal interface ITensorOps<T>
{
    /// <summary>The element type the component computes in (its weights' type unless kept in float32).</summary>
    DType ComputeType { get; }

    /// <summary>Names what follows (graph node names); disposing the result closes the scope.</summary>
    IDisposable Scope(string name);

    // ---- values ----
    /// <summary>A weight of the component, in the type it is stored in (<see cref="StorageType"/>).</summary>
    T Weight(Parameter parameter);
    DType StorageType(Parameter parameter);
    T Constant(float[] values, long[] shape, DType type);
    T Constant(long[] values, long[] shape);
    T Scalar(double value, DType type);
    DType TypeOf(T x);

    // ---- shapes ----
    /// <summary>The shape of <paramref name="x"/> as an int64 vector.</summary>
    T Shape(T x);
    /// <summary>One dimension of <paramref name="x"/> as an int64 vector of length 1.</summary>
    T Dim(T x, int axis);
    /// <summary>Reshape with ONNX semantics: 0 copies the input dimension, -1 is inferred.</summary>
    T Reshape(T x, params long[] shape);
    T Reshape(T x, T shape);
    T Transpose(T x, params int[] perm);
    /// <summary>Elements [start, end) along <paramref name="axis"/>; negative indices count from the end and out-of-range ones clamp (ONNX/Python slicing).</summary>
    T Slice(T x, int axis, long start, long end, long step = 1);
    T Slice(T x, int axis, T start, T end);
    T Concat(int axis, params T[] xs);
    T[] Split(T x, int axis, params long[] sizes);
    T Unsqueeze(T x, params int[] axes);
    T Squeeze(T x, params int[] axes);
    T Expand(T x, T shape);
    T Gather(T x, T indices, int axis);
    T Cast(T x, DType type);
    /// <summary>Pads with zeros; <paramref name="pads"/> is ONNX-ordered: all begins, then all ends, one per axis.</summary>
    T Pad(T x, long[] pads);
    /// <summary>Nearest-neighbour upsampling of x [N, C, *spatial]: each spatial axis by its integer factor.</summary>
    T UpsampleNearest(T x, params int[] scales);

    // ---- elementwise ----
    T Add(T a, T b);
    T Sub(T a, T b);
    T Mul(T a, T b);
    T Div(T a, T b);
    T Neg(T x);
    T Sqrt(T x);
    T Exp(T x);
    T Log(T x);
    T Sin(T x);
    T Cos(T x);
    T Abs(T x);
    T Pow(T x, double exponent);
    T Min(T a, T b);
    T Max(T a, T b);
    T Clip(T x, double? min, double? max);
    T Where(T condition, T a, T b);
    T Less(T a, T b);
    T Sigmoid(T x);
    T Tanh(T x);
    T Silu(T x);
    /// <summary>GELU, exact (erf) or with the tanh approximation.</summary>
    T Gelu(T x, bool tanhApproximation);
    /// <summary>CLIP's quick_gelu: x * sigmoid(1.702 x).</summary>
    T QuickGelu(T x);
    T Softmax(T x, int axis);
    T ReduceMean(T x, int[] axes, bool keepDims);
    T ReduceSum(T x, int[] axes, bool keepDims);

    // ---- linear algebra ----
    T MatMul(T a, T b);
    /// <summary>x @ weight^T + bias, weight laid out [out, in] as in torch.</summary>
    T Linear(T x, Parameter weight, Parameter? bias);
    /// <summary>Convolution over the trailing 1-3 axes; pads are ONNX-ordered (begins then ends).</summary>
    T Conv(T x, Parameter weight, Parameter? bias, int[] strides, int[] pads, int groups = 1);
    /// <summary>Rows of an embedding table (weight [num, dim]) for int64 indices.</summary>
    T Embedding(Parameter weight, T indices);

    // ---- normalization ----
    /// <summary>Layer normalisation over the last axis (of length <paramref name="size"/>); weight and bias optional (elementwise_affine=False).</summary>
    T LayerNorm(T x, long size, Parameter? weight, Parameter? bias, double eps);
    /// <summary>RMS normalisation over the last axis (x / sqrt(mean(x²) + eps) * weight), statistics in float32.</summary>
    T RmsNorm(T x, long size, Parameter? weight, double eps);

    // ---- attention ----
    /// <summary>
    /// Multi-head scaled dot-product attention on [B, S, N*H] projections (B, L, N*H for keys and values), returning
    /// [B, S, N*H]. <paramref name="scale"/> defaults to 1/sqrt(H). <paramref name="bias"/> is added to the scores,
    /// broadcast from [B or 1, N or 1, S, L].
    /// </summary>
    T Attention(T q, T k, T v, int numHeads, double? scale = null, T? bias = default);

    /// <summary>
    /// Rotary position embedding on [B, S, N*H] with per-position tables cos, sin of shape [S, H/2]. Interleaved:
    /// pairs (x[2i], x[2i+1]) rotate by angle i; otherwise the halves (x[i], x[i+H/2]) do.
    /// </summary>
    T Rotary(T x, T cos, T sin, int numHeads, bool interleaved);

    /// <summary>
    /// Ulysses' all-to-all over the ranks of <paramref name="shard"/>: <paramref name="x"/> (the same shape on every rank)
    /// is cut into <see cref="SequenceShard{T}.WorldSize"/> parts along <paramref name="splitAxis"/>, and this rank receives
    /// part <c>rank</c> of every rank, concatenated in rank order along <paramref name="gatherAxis"/>. With one rank that is
    /// <paramref name="x"/> itself, which is what this default (the eager form) computes; the graph builder emits the
    /// collective operator, which the runtime's collective library runs across the rank sessions.
    /// </summary>
    T AllToAll(T x, int splitAxis, int gatherAxis, SequenceShard<T> shard) =>
        shard.WorldSize == 1 ? x : throw new NotSupportedException($"an all-to-all over {shard.WorldSize} ranks runs in the exported graphs only (the eager form has one rank)");

    // ---- selection (video sparse attention) ----
    /// <summary>Elementwise equality (numpy broadcasting), as a bool tensor.</summary>
    T Equal(T a, T b);

    /// <summary>Smallest integer not less than each element, in the element type of <paramref name="x"/>.</summary>
    T Ceil(T x);

    /// <summary>
    /// The int64 indices of the <paramref name="k"/> largest values along <paramref name="axis"/>, largest first (torch.topk
    /// and ONNX TopK with largest=1, sorted=1); <paramref name="k"/> is an int64 vector of length 1, so it may be computed.
    /// </summary>
    T TopKIndices(T x, T k, int axis);

    /// <summary>
    /// FastVideo's Video Sparse Attention over the tokens of a DiT grid (see <see cref="Modeling.VideoSparseAttention"/>):
    /// q, k, v, gate [B, S, heads·headDim] with S = frames·height·width (int64 vectors of length 1), sparsity float32 [1].
    /// A backend may override it with a block-sparse kernel computing the same function.
    /// </summary>
    T VideoSparseAttention(T q, T k, T v, T gate, int heads, int headDim, T frames, T height, T width, T sparsity) =>
        Modeling.VideoSparseAttention.Forward(this, q, k, v, gate, heads, headDim, frames, height, width, sparsity);
    /// <summary>
    /// torch.nn.functional.normalize with p=2: <c>x / max(||x||₂, eps)</c>, the norm taken along <paramref name="axis"/>
    /// (kept), computed in the type of <paramref name="x"/>. Channel-first RMS norms (Wan's VAE) are built on it, since
    /// ONNX's normalisation operators only reduce over trailing axes.
    /// </summary>
    T NormalizeL2(T x, int axis, double eps);

    /// <summary>
    /// The positions 0, 1, ..., n-1 as an int64 vector, where <paramref name="length"/> is an int64 vector of length 1
    /// holding n (what <see cref="Dim"/> returns), so sequence lengths stay dynamic in the graph.
    /// </summary>
    T Range(T length);

    // ---- compound operators (defined by their composition; element types follow Diffusers: norms, modulation and
    // gated residuals run in float32 and round to the input's type once) ----

    /// <summary>
    /// <c>cast_like_x( (LayerNorm_f32(x)·weight + bias)·(1 + scale) + shift )</c> over the last axis. weight/bias are the
    /// affine parameters (or null); scale/shift are float32 modulation tensors broadcast from [B, 1, D] (or null).
    /// </summary>
    T ModulatedLayerNorm(T x, long size, Parameter? weight, Parameter? bias, double eps, T? scale, T? shift)
    {
        var type = TypeOf(x);
        var y = LayerNorm(Cast(x, DType.Float32), size, weight, bias, eps);
        if (scale is not null) y = Mul(y, Add(Scalar(1, DType.Float32), scale));
        if (shift is not null) y = Add(y, shift);
        return Cast(y, type);
    }

    /// <summary><c>cast_like_x( f32(x) + f32(y)·gate )</c>: a residual update; gate is a float32 [B, 1, D] tensor (or null for 1).</summary>
    T GatedResidual(T x, T y, T? gate)
    {
        if (gate is null) return Add(x, y);
        return Cast(Add(Cast(x, DType.Float32), Mul(Cast(y, DType.Float32), gate)), TypeOf(x));
    }

    /// <summary>
    /// A residual update followed by the next norm: <c>h = GatedResidual(x, y, gate)</c>, then
    /// <c>ModulatedLayerNorm(h, ...)</c>; returns both (the residual stream goes on, the normed value feeds the next layer).
    /// </summary>
    (T Residual, T Normed) ResidualLayerNorm(T x, T y, T? gate, long size, Parameter? weight, Parameter? normBias, double eps, T? scale, T? shift)
    {
        var h = GatedResidual(x, y, gate);
        return (h, ModulatedLayerNorm(h, size, weight, normBias, eps, scale, shift));
    }

    /// <summary>
    /// RMSNorm of <paramref name="y"/> over the last axis with <paramref name="weight"/>, then (when <paramref name="rotary"/>
    /// is given) interleaved rotary embedding per head of [B, S, heads·H].
    /// </summary>
    T RmsNormRotary(T y, long size, Parameter weight, double eps, (T Cos, T Sin)? rotary, int heads)
    {
        y = RmsNorm(y, size, weight, eps);
        return rotary is var (cos, sin) ? Rotary(y, cos, sin, heads, interleaved: true) : y;
    }

    /// <summary><c>GELU(x @ weight^T + bias)</c>: a feed-forward layer's first projection and activation.</summary>
    T LinearGelu(T x, Parameter weight, Parameter bias, bool tanhApproximation) => Gelu(Linear(x, weight, bias), tanhApproximation);

    /// <summary>
    /// Channel-first RMS norm of <paramref name="x"/> [B, C, *spatial] (Diffusers' WanRMS_norm), then SiLU when
    /// <paramref name="silu"/> (the activation that follows the norm in residual blocks and output heads):
    /// <c>cast_like_x(F.normalize(f32(x), dim=1, eps))·(gamma·scale)</c>. gamma holds one value per channel ([C, 1, ...]
    /// broadcasting over the spatial axes); the gain is folded on that small tensor in x's type so the full-size tensor is
    /// multiplied once, and SiLU runs in x's type.
    /// </summary>
    T ChannelRmsNorm(T x, Parameter gamma, double scale, double eps, bool silu)
    {
        var type = TypeOf(x);
        var normalized = Cast(NormalizeL2(Cast(x, DType.Float32), 1, eps), type);
        var gain = Mul(Cast(Weight(gamma), type), Scalar(scale, type));
        var y = Mul(normalized, gain);
        return silu ? Silu(y) : y;
    }
}
