using System.Runtime.InteropServices;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using Onnx;

namespace FastVideo.Onnx.Export.Onnx;

/// <summary>The operator mapping: each <see cref="ITensorOps{T}"/> call as ONNX nodes.</summary>
internal partial class OnnxGraphBuilder : ITensorOps<OnnxValue>
{
    // ---- values ----
    public DType StorageType(Parameter p) => p.KeepFloat32 ? DType.Float32 : ComputeType;
    public OnnxValue Weight(Parameter p) => WeightAs(p, StorageType(p));
    public DType TypeOf(OnnxValue x) => x.DType;

    public OnnxValue Constant(float[] values, long[] shape, DType type)
    {
        var bytes = new byte[values.Length * type.Size()];
        FloatConversion.FromSingle(values, type, bytes);
        return InlineConstant(bytes, type, shape);
    }

    public OnnxValue Constant(long[] values, long[] shape) => InlineConstant(MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), DType.Int64, shape);

    OnnxValue Int64s(params long[] values) => Constant(values, new long[] { values.Length });

    public OnnxValue Scalar(double value, DType type)
    {
        byte[] bytes;
        if (type.IsFloat())
        {
            bytes = new byte[type.Size()];
            FloatConversion.FromSingle(new[] { (float)value }, type, bytes);
            if (type == DType.Float64) bytes = BitConverter.GetBytes(value);
        }
        else if (type == DType.Int64) bytes = BitConverter.GetBytes((long)value);
        else if (type == DType.Int32) bytes = BitConverter.GetBytes((int)value);
        else throw new NotSupportedException($"scalar of type {type}");
        return InlineConstant(bytes, type, Array.Empty<long>(), value);
    }

    /// <summary>Torch-like type promotion for binary operators.</summary>
    (OnnxValue, OnnxValue) Promote(OnnxValue a, OnnxValue b)
    {
        if (a.DType == b.DType) return (a, b);
        if (a.ScalarValue is double sa && b.ScalarValue is null) return (Scalar(sa, b.DType), b);
        if (b.ScalarValue is double sb && a.ScalarValue is null) return (a, Scalar(sb, a.DType));
        DType target = Rank(a.DType) >= Rank(b.DType) ? a.DType : b.DType;
        if (a.DType is DType.Float16 or DType.BFloat16 && b.DType is DType.Float16 or DType.BFloat16) target = DType.Float32;
        return (Cast(a, target), Cast(b, target));

        static int Rank(DType t) => t switch
        {
            DType.Float64 => 5,
            DType.Float32 => 4,
            DType.Float16 or DType.BFloat16 => 3,
            DType.Int64 => 2,
            DType.Int32 => 1,
            _ => 0,
        };
    }

    OnnxValue Binary(string op, OnnxValue a, OnnxValue b)
    {
        var (pa, pb) = Promote(a, b);
        return Node(op, new[] { pa, pb }, pa.DType);
    }

    OnnxValue Unary(string op, OnnxValue x, params AttributeProto[] attributes) => Node(op, new[] { x }, x.DType, attributes: attributes);

    // ---- shapes ----
    public OnnxValue Shape(OnnxValue x) => Node("Shape", new[] { x }, DType.Int64);

    public OnnxValue Dim(OnnxValue x, int axis) =>
        Node("Shape", new[] { x }, DType.Int64, attributes: new[] { Attr("start", axis), Attr("end", axis == -1 ? long.MaxValue : axis + 1) });

    public OnnxValue Reshape(OnnxValue x, params long[] shape) => Reshape(x, Int64s(shape));
    public OnnxValue Reshape(OnnxValue x, OnnxValue shape) => Node("Reshape", new[] { x, shape }, x.DType);
    public OnnxValue Transpose(OnnxValue x, params int[] perm) => Unary("Transpose", x, Attr("perm", perm.Select(p => (long)p)));

    public OnnxValue Slice(OnnxValue x, int axis, long start, long end, long step = 1) =>
        Node("Slice", new[] { x, Int64s(start), Int64s(end), Int64s(axis), Int64s(step) }, x.DType);

    public OnnxValue Slice(OnnxValue x, int axis, OnnxValue start, OnnxValue end) =>
        Node("Slice", new[] { x, start, end, Int64s(axis) }, x.DType);

    public OnnxValue Concat(int axis, params OnnxValue[] xs)
    {
        if (xs.Length == 1) return xs[0];
        var type = xs[0].DType;
        foreach (var x in xs)
            if (x.DType != type) throw new InvalidOperationException($"Concat of {type} and {x.DType}");
        return Node("Concat", xs, type, attributes: new[] { Attr("axis", axis) });
    }

    public OnnxValue[] Split(OnnxValue x, int axis, params long[] sizes) =>
        NodeMulti("Split", new[] { x, Int64s(sizes) }, sizes.Select(_ => x.DType).ToArray(), attributes: new[] { Attr("axis", axis) });

    public OnnxValue Unsqueeze(OnnxValue x, params int[] axes) => Node("Unsqueeze", new[] { x, Int64s(axes.Select(a => (long)a).ToArray()) }, x.DType);
    public OnnxValue Squeeze(OnnxValue x, params int[] axes) => Node("Squeeze", new[] { x, Int64s(axes.Select(a => (long)a).ToArray()) }, x.DType);
    public OnnxValue Expand(OnnxValue x, OnnxValue shape) => Node("Expand", new[] { x, shape }, x.DType);
    public OnnxValue Gather(OnnxValue x, OnnxValue indices, int axis) => Node("Gather", new[] { x, indices }, x.DType, attributes: new[] { Attr("axis", axis) });

    public OnnxValue Cast(OnnxValue x, DType type)
    {
        if (x.DType == type) return x;
        if (x.ScalarValue is double s) return Scalar(s, type);
        return Node("Cast", new[] { x }, type, attributes: new[] { Attr("to", (long)ToOnnx(type)) });
    }

    public OnnxValue Pad(OnnxValue x, long[] pads) =>
        Node("Pad", new[] { x, Int64s(pads), Scalar(0, x.DType) }, x.DType, attributes: new[] { Attr("mode", "constant") });

    public OnnxValue UpsampleNearest(OnnxValue x, params int[] scales)
    {
        // Rank is not tracked, so the scales cover exactly the leading batch/channel axes the callers use (N, C, ...).
        var all = new float[2 + scales.Length];
        all[0] = all[1] = 1;
        for (int i = 0; i < scales.Length; i++) all[2 + i] = scales[i];
        var scaleValue = Constant(all, new long[] { all.Length }, DType.Float32);
        return Node("Resize", new[] { x, null, scaleValue }, x.DType, attributes: new[]
        {
            Attr("mode", "nearest"), Attr("coordinate_transformation_mode", "asymmetric"), Attr("nearest_mode", "floor"),
        });
    }

    // ---- elementwise ----
    public OnnxValue Add(OnnxValue a, OnnxValue b) => Binary("Add", a, b);
    public OnnxValue Sub(OnnxValue a, OnnxValue b) => Binary("Sub", a, b);
    public OnnxValue Mul(OnnxValue a, OnnxValue b) => Binary("Mul", a, b);
    public OnnxValue Div(OnnxValue a, OnnxValue b) => Binary("Div", a, b);
    public OnnxValue Neg(OnnxValue x) => Unary("Neg", x);
    public OnnxValue Sqrt(OnnxValue x) => Unary("Sqrt", x);
    public OnnxValue Exp(OnnxValue x) => Unary("Exp", x);
    public OnnxValue Log(OnnxValue x) => Unary("Log", x);
    public OnnxValue Sin(OnnxValue x) => Unary("Sin", x);
    public OnnxValue Cos(OnnxValue x) => Unary("Cos", x);
    public OnnxValue Abs(OnnxValue x) => Unary("Abs", x);
    public OnnxValue Pow(OnnxValue x, double exponent) => Node("Pow", new[] { x, Scalar(exponent, x.DType) }, x.DType);
    public OnnxValue Min(OnnxValue a, OnnxValue b) => Binary("Min", a, b);
    public OnnxValue Max(OnnxValue a, OnnxValue b) => Binary("Max", a, b);

    public OnnxValue Clip(OnnxValue x, double? min, double? max) =>
        Node("Clip", new[] { x, min is null ? null : Scalar(min.Value, x.DType), max is null ? null : Scalar(max.Value, x.DType) }, x.DType);

    public OnnxValue Where(OnnxValue condition, OnnxValue a, OnnxValue b)
    {
        var (pa, pb) = Promote(a, b);
        return Node("Where", new[] { condition, pa, pb }, pa.DType);
    }

    public OnnxValue Less(OnnxValue a, OnnxValue b)
    {
        var (pa, pb) = Promote(a, b);
        return Node("Less", new[] { pa, pb }, DType.Bool);
    }

    public OnnxValue Sigmoid(OnnxValue x) => Unary("Sigmoid", x);
    public OnnxValue Tanh(OnnxValue x) => Unary("Tanh", x);
    public OnnxValue Silu(OnnxValue x) => Mul(x, Sigmoid(x));
    public OnnxValue Gelu(OnnxValue x, bool tanhApproximation) => Unary("Gelu", x, Attr("approximate", tanhApproximation ? "tanh" : "none"));
    public OnnxValue QuickGelu(OnnxValue x) => Node("QuickGelu", new[] { x }, x.DType, MicrosoftDomain, new[] { Attr("alpha", 1.702f) });
    public OnnxValue Softmax(OnnxValue x, int axis) => Unary("Softmax", x, Attr("axis", axis));

    public OnnxValue ReduceMean(OnnxValue x, int[] axes, bool keepDims) =>
        Node("ReduceMean", new[] { x, Int64s(axes.Select(a => (long)a).ToArray()) }, x.DType, attributes: new[] { Attr("keepdims", keepDims ? 1 : 0) });

    public OnnxValue ReduceSum(OnnxValue x, int[] axes, bool keepDims) =>
        Node("ReduceSum", new[] { x, Int64s(axes.Select(a => (long)a).ToArray()) }, x.DType, attributes: new[] { Attr("keepdims", keepDims ? 1 : 0) });

    // ReduceL2 + Max + Div rather than LpNormalization: these three have CUDA kernels, LpNormalization only a CPU one.
    public OnnxValue NormalizeL2(OnnxValue x, int axis, double eps)
    {
        var norm = Node("ReduceL2", new[] { x, Int64s(axis) }, x.DType, attributes: new[] { Attr("keepdims", 1) });
        return Div(x, Max(norm, Scalar(eps, x.DType)));
    }

    // ONNX Range takes scalars; the length arrives as a [1] vector from Dim/Shape.
    public OnnxValue Range(OnnxValue length) =>
        Node("Range", new[] { Scalar(0, DType.Int64), Squeeze(length, 0), Scalar(1, DType.Int64) }, DType.Int64);

    // ---- linear algebra ----
    public OnnxValue MatMul(OnnxValue a, OnnxValue b) => Binary("MatMul", a, b);

    public OnnxValue Linear(OnnxValue x, Parameter weight, Parameter? bias)
    {
        // Weights are stored pre-transposed ([in, out]) so the MatMul needs no Transpose at load time.
        var y = Node("MatMul", new[] { x, WeightAs(weight, x.DType, transposed: true) }, x.DType);
        return bias is null ? y : Node("Add", new[] { y, WeightAs(bias, x.DType) }, x.DType);
    }

    /// <summary>
    /// The projection, then ONNX Runtime's contrib kernel that adds the bias inside the activation (FastGelu, BiasGelu:
    /// available on every provider). The projection goes through the interface, so a fused lowering's Linear applies.
    /// </summary>
    public OnnxValue LinearGelu(OnnxValue x, Parameter weight, Parameter bias, bool tanhApproximation)
    {
        var y = ((ITensorOps<OnnxValue>)this).Linear(x, weight, null);
        return Node(tanhApproximation ? "FastGelu" : "BiasGelu", new[] { y, WeightAs(bias, y.DType) }, y.DType, MicrosoftDomain);
    }

    public OnnxValue Conv(OnnxValue x, Parameter weight, Parameter? bias, int[] strides, int[] pads, int groups = 1) =>
        Node("Conv", new[] { x, WeightAs(weight, x.DType), bias is null ? null : WeightAs(bias, x.DType) }, x.DType, attributes: new[]
        {
            Attr("kernel_shape", weight.Shape.Skip(2)), Attr("strides", strides.Select(s => (long)s)),
            Attr("pads", pads.Select(p => (long)p)), Attr("group", groups),
        });

    public OnnxValue Embedding(Parameter weight, OnnxValue indices) => Gather(Weight(weight), indices, 0);

    // ---- normalization ----
    OnnxValue Ones(long size, DType type) => Constant(Enumerable.Repeat(1f, (int)size).ToArray(), new[] { size }, type);
    OnnxValue Zeros(long size, DType type) => Constant(new float[size], new[] { size }, type);

    public OnnxValue LayerNorm(OnnxValue x, long size, Parameter? weight, Parameter? bias, double eps) =>
        Node("LayerNormalization", new[]
        {
            x, weight is null ? Ones(size, x.DType) : WeightAs(weight, x.DType), bias is null ? Zeros(size, x.DType) : WeightAs(bias, x.DType),
        }, x.DType, attributes: new[] { Attr("axis", -1), Attr("epsilon", (float)eps) });

    public OnnxValue RmsNorm(OnnxValue x, long size, Parameter? weight, double eps) =>
        Node("RMSNormalization", new[] { x, weight is null ? Ones(size, x.DType) : WeightAs(weight, x.DType) }, x.DType,
            attributes: new[] { Attr("axis", -1), Attr("epsilon", (float)eps), Attr("stash_type", 1) });

    // ---- attention ----
    public OnnxValue Attention(OnnxValue q, OnnxValue k, OnnxValue v, int numHeads, double? scale = null, OnnxValue? bias = null)
    {
        var attributes = new List<AttributeProto> { Attr("num_heads", numHeads) };
        if (scale is double s) attributes.Add(Attr("scale", (float)s));
        // inputs: query, key, value, bias, key_padding_mask, attention_bias
        var inputs = new List<OnnxValue?> { q, k, v };
        if (bias is not null) inputs.AddRange(new[] { null, null, Cast(bias, q.DType) });
        return Node("MultiHeadAttention", inputs, q.DType, MicrosoftDomain, attributes);
    }

    /// <summary>The collective as a node of <see cref="FastVideoCollectives"/> (its rank and group are graph values the runtime binds).</summary>
    public OnnxValue AllToAll(OnnxValue x, int splitAxis, int gatherAxis, SequenceShard<OnnxValue> shard)
    {
        var op = FastVideoCollectives.AllToAll;
        return Node(op.Name, new[] { x, shard.Group, shard.Rank }, x.DType, FastVideoKernels.Domain,
            new[] { Attr("world_size", shard.WorldSize), Attr("split_axis", splitAxis), Attr("gather_axis", gatherAxis) });
    }

    public OnnxValue Rotary(OnnxValue x, OnnxValue cos, OnnxValue sin, int numHeads, bool interleaved) =>
        // position_ids of shape [1] is an offset: row s of the tables rotates sequence position s.
        Node("RotaryEmbedding", new[] { x, Int64s(0), Cast(cos, x.DType), Cast(sin, x.DType) }, x.DType, MicrosoftDomain,
            new[] { Attr("interleaved", interleaved ? 1 : 0), Attr("num_heads", numHeads) });
}
