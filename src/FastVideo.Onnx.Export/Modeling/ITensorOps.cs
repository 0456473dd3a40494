using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Modeling;

/// <summary>
/// The operators a component's forward is written against. Each model is written once, as generic code over
/// this interface, and runs on two implementations: TorchSharp eager (<c>TorchOps</c>, the numerical reference
/// that parity tests compare with Diffusers) and the ONNX graph builder (<c>OnnxGraphBuilder</c>, which emits the
/// same computation as ONNX nodes, choosing fused ONNX Runtime operators where they exist).
///
/// Semantics follow ONNX: shapes may be dynamic, so shape arithmetic is done on int64 tensors
/// (<see cref="Shape"/>, <see cref="Reshape(T,T)"/>); binary operators broadcast numpy-style and promote a
/// 16-bit float operand to float32 when the other is float32, as torch does.
/// </summary>
public partial interface ITensorOps<T>
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
}
