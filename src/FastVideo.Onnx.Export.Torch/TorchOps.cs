using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace FastVideo.Onnx.Export.Torch;

/// <summary>
/// <see cref="ITensorOps{T}"/> in TorchSharp, executed eagerly on the CPU: the reference implementation of every
/// model definition. Each operator does what the Diffusers/transformers code does with torch, so parity with the
/// fixtures checks the shared definition; the ONNX builder then only has to agree with this.
/// Run forwards inside a <c>torch.NewDisposeScope()</c>.
/// </summary>
internal sealed partial class TorchOps : ITensorOps<Tensor>
{
    readonly TorchWeights _weights;

    public TorchOps(TorchWeights weights, DType computeType)
    {
        _weights = weights;
        ComputeType = computeType;
    }

    public DType ComputeType { get; }

    public IDisposable Scope(string name) => NoScope.Instance;

    sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();
        public void Dispose() { }
    }

    internal static ScalarType ToScalarType(DType t) => t switch
    {
        DType.Float32 => ScalarType.Float32,
        DType.Float16 => ScalarType.Float16,
        DType.BFloat16 => ScalarType.BFloat16,
        DType.Float64 => ScalarType.Float64,
        DType.Int64 => ScalarType.Int64,
        DType.Int32 => ScalarType.Int32,
        DType.Int16 => ScalarType.Int16,
        DType.Int8 => ScalarType.Int8,
        DType.UInt8 => ScalarType.Byte,
        DType.Bool => ScalarType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    internal static DType FromScalarType(ScalarType t) => t switch
    {
        ScalarType.Float32 => DType.Float32,
        ScalarType.Float16 => DType.Float16,
        ScalarType.BFloat16 => DType.BFloat16,
        ScalarType.Float64 => DType.Float64,
        ScalarType.Int64 => DType.Int64,
        ScalarType.Int32 => DType.Int32,
        ScalarType.Int16 => DType.Int16,
        ScalarType.Int8 => DType.Int8,
        ScalarType.Byte => DType.UInt8,
        ScalarType.Bool => DType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    // ---- values ----
    public DType StorageType(Parameter p) => p.KeepFloat32 ? DType.Float32 : ComputeType;
    public Tensor Weight(Parameter p) => _weights.Get(p, StorageType(p));
    public Tensor Constant(float[] values, long[] shape, DType type) => torch.tensor(values, shape, ScalarType.Float32).to_type(ToScalarType(type));
    public Tensor Constant(long[] values, long[] shape) => torch.tensor(values, shape, ScalarType.Int64);
    public Tensor Scalar(double value, DType type) => torch.tensor(value, ToScalarType(type));
    public DType TypeOf(Tensor x) => FromScalarType(x.dtype);

    // ---- shapes ----
    public Tensor Shape(Tensor x) => torch.tensor(x.shape, new long[] { x.shape.Length }, ScalarType.Int64);
    public Tensor Dim(Tensor x, int axis) => torch.tensor(new[] { x.shape[Axis(x, axis)] }, new long[] { 1 }, ScalarType.Int64);

    static int Axis(Tensor x, int axis) => axis < 0 ? axis + (int)x.dim() : axis;

    public Tensor Reshape(Tensor x, params long[] shape)
    {
        var target = (long[])shape.Clone();
        for (int i = 0; i < target.Length; i++)
            if (target[i] == 0) target[i] = x.shape[i];
        return x.reshape(target);
    }

    public Tensor Reshape(Tensor x, Tensor shape) => Reshape(x, shape.data<long>().ToArray());
    public Tensor Transpose(Tensor x, params int[] perm) => x.permute(perm.Select(p => (long)p).ToArray());

    static (long Start, long End) Clamp(long start, long end, long length)
    {
        if (start < 0) start += length;
        if (end < 0) end += length;
        start = Math.Clamp(start, 0, length);
        end = Math.Clamp(end, 0, length);
        return (start, Math.Max(start, end));
    }

    public Tensor Slice(Tensor x, int axis, long start, long end, long step = 1)
    {
        int a = Axis(x, axis);
        var (s, e) = Clamp(start, end, x.shape[a]);
        return x.slice(a, s, e, step);
    }

    public Tensor Slice(Tensor x, int axis, Tensor start, Tensor end) => Slice(x, axis, start.data<long>()[0], end.data<long>()[0]);
    public Tensor Concat(int axis, params Tensor[] xs) => torch.cat(xs, axis);
    public Tensor[] Split(Tensor x, int axis, params long[] sizes) => x.split(sizes, axis);

    public Tensor Unsqueeze(Tensor x, params int[] axes)
    {
        int rank = (int)x.dim() + axes.Length;
        foreach (var a in axes.Select(a => a < 0 ? a + rank : a).OrderBy(a => a)) x = x.unsqueeze(a);
        return x;
    }

    public Tensor Squeeze(Tensor x, params int[] axes)
    {
        foreach (var a in axes.Select(a => Axis(x, a)).OrderByDescending(a => a)) x = x.squeeze(a);
        return x;
    }

    public Tensor Expand(Tensor x, Tensor shape)
    {
        // ONNX Expand broadcasts both ways (a 1 in the target keeps the input's size); torch's expand does not.
        var target = shape.data<long>().ToArray();
        var src = x.shape;
        int rank = Math.Max(target.Length, src.Length);
        var result = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long t = i - (rank - target.Length) >= 0 ? target[i - (rank - target.Length)] : 1;
            long s = i - (rank - src.Length) >= 0 ? src[i - (rank - src.Length)] : 1;
            result[i] = t == 1 ? s : t;
        }
        return x.expand(result);
    }

    public Tensor Gather(Tensor x, Tensor indices, int axis)
    {
        int a = Axis(x, axis);
        var flat = x.index_select(a, indices.flatten());
        var shape = x.shape.Take(a).Concat(indices.shape).Concat(x.shape.Skip(a + 1)).ToArray();
        return flat.reshape(shape);
    }

    public Tensor Cast(Tensor x, DType type) => x.dtype == ToScalarType(type) ? x : x.to_type(ToScalarType(type));

    public Tensor Pad(Tensor x, long[] pads)
    {
        // ONNX order (begins..., ends...) over all axes; torch wants (begin, end) pairs from the last axis backwards.
        int rank = pads.Length / 2;
        var torchPads = new List<long>();
        for (int i = rank - 1; i >= 0; i--)
        {
            torchPads.Add(pads[i]);
            torchPads.Add(pads[i + rank]);
        }
        return F.pad(x, torchPads.ToArray(), PaddingModes.Constant, 0);
    }

    public Tensor UpsampleNearest(Tensor x, params int[] scales)
    {
        int rank = (int)x.dim();
        for (int i = 0; i < scales.Length; i++)
        {
            int axis = rank - scales.Length + i;
            if (scales[i] != 1) x = x.repeat_interleave(scales[i], axis);
        }
        return x;
    }

    // ---- elementwise ----
    public Tensor Add(Tensor a, Tensor b) => a + b;
    public Tensor Sub(Tensor a, Tensor b) => a - b;
    public Tensor Mul(Tensor a, Tensor b) => a * b;
    // Integer division truncates as ONNX's Div does; TorchSharp's div with RoundingMode.trunc returns float32, so the
    // quotient is taken exactly from the multiple of b below a (fmod keeps a's sign).
    public Tensor Div(Tensor a, Tensor b) =>
        !torch.is_floating_point(a) && !torch.is_floating_point(b) ? torch.floor_divide(a - torch.fmod(a, b), b) : a / b;
    public Tensor Neg(Tensor x) => -x;
    public Tensor Sqrt(Tensor x) => x.sqrt();
    public Tensor Exp(Tensor x) => x.exp();
    public Tensor Log(Tensor x) => x.log();
    public Tensor Sin(Tensor x) => x.sin();
    public Tensor Cos(Tensor x) => x.cos();
    public Tensor Abs(Tensor x) => x.abs();
    public Tensor Pow(Tensor x, double exponent) => x.pow(exponent);
    public Tensor Min(Tensor a, Tensor b) => torch.minimum(a, b);
    public Tensor Max(Tensor a, Tensor b) => torch.maximum(a, b);
    public Tensor Clip(Tensor x, double? min, double? max) => x.clamp(min is null ? null : (Scalar)min.Value, max is null ? null : (Scalar)max.Value);
    public Tensor Where(Tensor condition, Tensor a, Tensor b) => torch.where(condition, a, b);
    public Tensor Less(Tensor a, Tensor b) => a.lt(b);
    public Tensor Sigmoid(Tensor x) => x.sigmoid();
    public Tensor Tanh(Tensor x) => x.tanh();
    public Tensor Silu(Tensor x) => F.silu(x);
    public Tensor Gelu(Tensor x, bool tanhApproximation) =>
        F.gelu(x, tanhApproximation ? TorchSharp.Modules.GELU.Approximate.tanh : TorchSharp.Modules.GELU.Approximate.none);
    public Tensor QuickGelu(Tensor x) => x * (x * 1.702).sigmoid();
    public Tensor Softmax(Tensor x, int axis) => x.softmax(axis);
    public Tensor ReduceMean(Tensor x, int[] axes, bool keepDims) => x.mean(axes.Select(a => (long)a).ToArray(), keepDims);
    public Tensor ReduceSum(Tensor x, int[] axes, bool keepDims) => x.sum(axes.Select(a => (long)a).ToArray(), keepDims);
    public Tensor NormalizeL2(Tensor x, int axis, double eps) => F.normalize(x, 2.0, axis, eps);
    public Tensor Range(Tensor length) => torch.arange(length.data<long>()[0], ScalarType.Int64);

    // ---- linear algebra ----
    public Tensor MatMul(Tensor a, Tensor b) => torch.matmul(a, b);

    public Tensor Linear(Tensor x, Parameter weight, Parameter? bias) =>
        F.linear(x, Weight(weight), bias is null ? null : Weight(bias));

    public Tensor Conv(Tensor x, Parameter weight, Parameter? bias, int[] strides, int[] pads, int groups = 1)
    {
        int n = strides.Length;
        bool symmetric = Enumerable.Range(0, n).All(i => pads[i] == pads[i + n]);
        if (!symmetric)
        {
            var full = new long[2 * (n + 2)];
            for (int i = 0; i < n; i++)
            {
                full[2 + i] = pads[i];
                full[n + 4 + i] = pads[i + n];
            }
            x = Pad(x, full);
        }
        var padding = Enumerable.Range(0, n).Select(i => symmetric ? (long)pads[i] : 0L).ToArray();
        var s = strides.Select(v => (long)v).ToArray();
        var w = Weight(weight);
        var b = bias is null ? null : Weight(bias);
        return n switch
        {
            1 => F.conv1d(x, w, b, s[0], padding[0], 1, groups),
            2 => F.conv2d(x, w, b, s, padding, new long[] { 1, 1 }, groups),
            3 => F.conv3d(x, w, b, s, padding, new long[] { 1, 1, 1 }, groups),
            _ => throw new NotSupportedException($"Conv over {n} axes"),
        };
    }

    public Tensor Embedding(Parameter weight, Tensor indices) => Gather(Weight(weight), indices, 0);

    // ---- normalization ----
    public Tensor LayerNorm(Tensor x, long size, Parameter? weight, Parameter? bias, double eps)
    {
        var w = weight is null ? null : Cast(Weight(weight), TypeOf(x));
        var b = bias is null ? null : Cast(Weight(bias), TypeOf(x));
        return F.layer_norm(x, new[] { x.shape[^1] }, w, b, eps);
    }

    public Tensor RmsNorm(Tensor x, long size, Parameter? weight, double eps)
    {
        // torch.nn.RMSNorm: statistics in float32, normalised value cast back before the weight multiply.
        var xf = x.to_type(ScalarType.Float32);
        var normed = (xf * (xf.pow(2).mean(new long[] { -1 }, true) + eps).rsqrt()).to_type(x.dtype);
        return weight is null ? normed : normed * Cast(Weight(weight), TypeOf(x));
    }

    // ---- attention ----
    public Tensor Attention(Tensor q, Tensor k, Tensor v, int numHeads, double? scale = null, Tensor? bias = null)
    {
        Tensor Heads(Tensor t) => t.reshape(t.shape[0], t.shape[1], numHeads, t.shape[2] / numHeads).transpose(1, 2);
        var qh = Heads(q);
        long headDim = qh.shape[^1];
        if (scale is double s) qh = qh * (s * Math.Sqrt(headDim)); // SDPA applies 1/sqrt(H) itself
        var mask = bias is null ? null : Cast(bias, TypeOf(q));
        var o = F.scaled_dot_product_attention(qh, Heads(k), Heads(v), mask, 0.0, false);
        return o.transpose(1, 2).reshape(q.shape[0], q.shape[1], q.shape[2]);
    }

    public Tensor Rotary(Tensor x, Tensor cos, Tensor sin, int numHeads, bool interleaved)
    {
        long b = x.shape[0], s = x.shape[1];
        var heads = x.reshape(b, s, numHeads, -1);
        long half = heads.shape[^1] / 2;
        var c = cos.reshape(1, s, 1, half).to_type(x.dtype);
        var n = sin.reshape(1, s, 1, half).to_type(x.dtype);
        Tensor x1, x2;
        if (interleaved)
        {
            var pairs = heads.reshape(b, s, numHeads, half, 2);
            x1 = pairs.select(-1, 0);
            x2 = pairs.select(-1, 1);
        }
        else
        {
            x1 = heads.slice(-1, 0, half, 1);
            x2 = heads.slice(-1, half, 2 * half, 1);
        }
        var r1 = x1 * c - x2 * n;
        var r2 = x1 * n + x2 * c;
        var rotated = interleaved ? torch.stack(new[] { r1, r2 }, -1) : torch.cat(new[] { r1, r2 }, -1);
        return rotated.reshape(b, s, -1);
    }
}
