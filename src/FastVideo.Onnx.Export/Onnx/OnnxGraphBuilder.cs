using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using Google.Protobuf;
using Onnx;

namespace FastVideo.Onnx.Export.Onnx;

/// <summary>
/// Builds an ONNX graph by running a model definition's forward on symbolic values: each operator call appends
/// nodes, each weight becomes an initializer that the writer streams from the checkpoint later. The operator
/// choices (fused com.microsoft kernels where ONNX Runtime has them) live in OnnxGraphBuilder.Ops.cs; compound
/// operators it does not override are written as their reference composition (the portable graph).
/// <see cref="FusedKernelGraphBuilder"/> lowers them to the CUDA kernel library instead.
/// </summary>
internal partial class OnnxGraphBuilder
{
    public const string MicrosoftDomain = "com.microsoft";

    readonly List<NodeProto> _nodes = new();
    readonly Dictionary<string, Initializer> _initializers = new(StringComparer.Ordinal);
    readonly List<ValueInfoProto> _inputs = new();
    readonly List<ValueInfoProto> _outputs = new();
    readonly Stack<string> _scopes = new();
    readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    readonly HashSet<string> _domains = new(StringComparer.Ordinal) { "" };
    readonly Dictionary<string, OnnxValue> _constantCache = new(StringComparer.Ordinal);
    readonly Dictionary<string, DType> _valueTypes = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(DType computeType, int opset = DefaultOpset)
    {
        ComputeType = computeType;
        Opset = opset;
    }

    /// <summary>ONNX opset of the graphs written (RMSNormalization needs 23).</summary>
    public const int DefaultOpset = 23;

    public int Opset { get; }
    public DType ComputeType { get; }
    public IReadOnlyList<NodeProto> Nodes => _nodes;
    public IReadOnlyCollection<Initializer> Initializers => _initializers.Values;
    public IReadOnlyList<ValueInfoProto> Inputs => _inputs;
    public IReadOnlyList<ValueInfoProto> Outputs => _outputs;
    public IReadOnlyCollection<string> Domains => _domains;

    /// <summary>The element type of every value of the graph by name: inputs, initializers and node outputs.</summary>
    public IReadOnlyDictionary<string, DType> ValueTypes => _valueTypes;

    // ---- graph inputs and outputs ----
    public OnnxValue Input(string name, DType type, params Dim[] dims)
    {
        _inputs.Add(ValueInfo(name, type, dims));
        _valueTypes[name] = type;
        return new OnnxValue(name, type);
    }

    public void Output(OnnxValue value, string name, params Dim[] dims)
    {
        BeforeNode(new[] { value });
        if (value.Name != name) Node("Identity", new[] { value }, value.DType, outputName: name);
        _outputs.Add(ValueInfo(name, value.DType, dims));
    }

    static ValueInfoProto ValueInfo(string name, DType type, Dim[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d.Name is null ? new TensorShapeProto.Types.Dimension { DimValue = d.Value } : new TensorShapeProto.Types.Dimension { DimParam = d.Name });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)ToOnnx(type), Shape = shape } },
        };
    }

    public static TensorProto.Types.DataType ToOnnx(DType t) => t switch
    {
        DType.Float32 => TensorProto.Types.DataType.Float,
        DType.Float16 => TensorProto.Types.DataType.Float16,
        DType.BFloat16 => TensorProto.Types.DataType.Bfloat16,
        DType.Float64 => TensorProto.Types.DataType.Double,
        DType.Int64 => TensorProto.Types.DataType.Int64,
        DType.Int32 => TensorProto.Types.DataType.Int32,
        DType.Int16 => TensorProto.Types.DataType.Int16,
        DType.Int8 => TensorProto.Types.DataType.Int8,
        DType.UInt8 => TensorProto.Types.DataType.Uint8,
        DType.Bool => TensorProto.Types.DataType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    // ---- naming ----
    public IDisposable Scope(string name)
    {
        _scopes.Push(name);
        return new PopScope(_scopes);
    }

    sealed class PopScope(Stack<string> scopes) : IDisposable
    {
        bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            scopes.Pop();
        }
    }

    string NextName(string op)
    {
        string scope = _scopes.Count > 0 ? _scopes.Peek() : "";
        string key = scope + "/" + op;
        int n = _counters.GetValueOrDefault(key);
        _counters[key] = n + 1;
        return n == 0 ? key : $"{key}_{n}";
    }

    // ---- nodes ----
    /// <summary>Appends a node with one output of type <paramref name="outputType"/>.</summary>
    public OnnxValue Node(string op, IReadOnlyList<OnnxValue?> inputs, DType outputType, string domain = "",
        IEnumerable<AttributeProto>? attributes = null, string? outputName = null) =>
        NodeMulti(op, inputs, new[] { outputType }, domain, attributes, outputName is null ? null : new[] { outputName })[0];

    public OnnxValue[] NodeMulti(string op, IReadOnlyList<OnnxValue?> inputs, IReadOnlyList<DType> outputTypes, string domain = "",
        IEnumerable<AttributeProto>? attributes = null, IReadOnlyList<string>? outputNames = null)
    {
        BeforeNode(inputs);
        string name = NextName(op);
        var node = new NodeProto { Name = name, OpType = op, Domain = domain };
        foreach (var i in inputs) node.Input.Add(i?.Name ?? "");
        var outputs = new OnnxValue[outputTypes.Count];
        for (int o = 0; o < outputs.Length; o++)
        {
            string outName = outputNames?[o] ?? (outputs.Length == 1 ? name + ":0" : $"{name}:{o}");
            node.Output.Add(outName);
            outputs[o] = new OnnxValue(outName, outputTypes[o]);
            _valueTypes[outName] = outputTypes[o];
        }
        if (attributes is not null) node.Attribute.AddRange(attributes);
        _domains.Add(domain);
        _nodes.Add(node);
        return outputs;
    }

    /// <summary>
    /// Called before a node is appended (and before a value becomes a graph output): a lowering that holds back a node
    /// until it knows how the next one consumes it writes it here.
    /// </summary>
    protected virtual void BeforeNode(IReadOnlyList<OnnxValue?> inputs)
    {
    }

    /// <summary>The name the next node of type <paramref name="op"/> in the current scope gets (its output is NAME:0).</summary>
    protected string ReserveNodeName(string op) => NextName(op);

    /// <summary>Appends a node built by the caller, under a name from <see cref="ReserveNodeName"/>.</summary>
    protected void AppendNode(NodeProto node, params DType[] outputTypes)
    {
        for (int o = 0; o < outputTypes.Length; o++) _valueTypes[node.Output[o]] = outputTypes[o];
        _domains.Add(node.Domain);
        _nodes.Add(node);
    }

    // ---- attributes ----
    public static AttributeProto Attr(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
    public static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
    public static AttributeProto Attr(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Attr(string name, IEnumerable<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    // ---- initializers ----
    public OnnxValue AddInitializer(Initializer init)
    {
        if (_initializers.TryGetValue(init.Name, out var existing))
        {
            if (existing.DType != init.DType || !existing.Shape.SequenceEqual(init.Shape))
                throw new InvalidOperationException($"initializer '{init.Name}' defined twice with different types or shapes");
        }
        else _initializers[init.Name] = init;
        _valueTypes[init.Name] = init.DType;
        return new OnnxValue(init.Name, init.DType);
    }

    /// <summary>A checkpoint weight as an initializer of <paramref name="type"/>, optionally transposed to [in, out].</summary>
    public OnnxValue WeightAs(Parameter p, DType type, bool transposed = false)
    {
        string name = p.Name + (transposed ? "^T" : "") + (type == StorageType(p) ? "" : "/" + type.ShortName());
        long[] shape = transposed ? new[] { p.Shape[1], p.Shape[0] } : p.Shape;
        if (transposed && p.Shape.Length != 2) throw new InvalidOperationException($"only matrices can be transposed ({p})");
        return AddInitializer(new Initializer(name, type, shape, SourceWeight: p.Name, Transposed: transposed));
    }

    /// <summary>Small constants are cached by content, so repeated uses share one initializer.</summary>
    OnnxValue InlineConstant(byte[] data, DType type, long[] shape, double? scalar = null)
    {
        string key = type + "|" + string.Join(",", shape) + "|" + Convert.ToBase64String(data);
        if (_constantCache.TryGetValue(key, out var cached)) return cached;
        string name = $"const/{_constantCache.Count}";
        AddInitializer(new Initializer(name, type, shape, InlineData: data));
        var value = new OnnxValue(name, type) { ScalarValue = scalar };
        _constantCache[key] = value;
        return value;
    }
}
