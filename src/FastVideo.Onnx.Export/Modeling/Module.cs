namespace FastVideo.Onnx.Export.Modeling;

/// <summary>
/// A node of a model definition. Subclasses declare their children and weights in the constructor, with the names
/// Diffusers gives them, so the dotted paths of the tree equal the checkpoint keys; their forward methods are
/// generic over <see cref="ITensorOps{T}"/>.
/// </summary>
internal abstract class Module
{
    readonly List<(string Name, Module Child)> _children = new();
    readonly List<Parameter> _parameters = new();

    /// <summary>Dotted path from the root (empty for the root), e.g. <c>blocks.3.attn1</c>.</summary>
    public string Path { get; private set; } = "";

    protected TModule Add<TModule>(string name, TModule child) where TModule : Module
    {
        _children.Add((name, child));
        return child;
    }

    protected Parameter Param(string name, params long[] shape)
    {
        var p = new Parameter(name, shape);
        _parameters.Add(p);
        return p;
    }

    public IEnumerable<(string Name, Module Child)> Children => _children;

    /// <summary>All weights of this module and its descendants.</summary>
    public IEnumerable<Parameter> Parameters()
    {
        foreach (var p in _parameters) yield return p;
        foreach (var (_, child) in _children)
        foreach (var p in child.Parameters())
            yield return p;
    }

    /// <summary>Assigns dotted paths below <paramref name="path"/>; called once by <see cref="ModelDefinition"/>.</summary>
    internal void AssignPaths(string path, IReadOnlyCollection<string> keepFloat32Modules, bool insideFloat32)
    {
        Path = path;
        string Join(string name) => path.Length == 0 ? name : path + "." + name;
        foreach (var p in _parameters)
        {
            p.Name = Join(p.LocalName);
            p.KeepFloat32 = insideFloat32 || keepFloat32Modules.Contains(p.LocalName);
        }
        foreach (var (name, child) in _children)
            child.AssignPaths(Join(name), keepFloat32Modules, insideFloat32 || keepFloat32Modules.Contains(name));
    }

    /// <summary>Opens a naming scope for this module's nodes.</summary>
    protected IDisposable Enter<T>(ITensorOps<T> ops) => ops.Scope(Path);
}

/// <summary>Children named 0, 1, 2, ... like torch's nn.ModuleList.</summary>
internal sealed class ModuleList<TModule> : Module where TModule : Module
{
    readonly List<TModule> _items = new();

    public ModuleList(IEnumerable<TModule> items)
    {
        foreach (var item in items) _items.Add(Add(_items.Count.ToString(), item));
    }

    public int Count => _items.Count;
    public TModule this[int index] => _items[index];
    public IReadOnlyList<TModule> Items => _items;
}

/// <summary>A module that only groups named children (a plain nn.Module or nn.Sequential holder in the source).</summary>
internal sealed class Container : Module
{
    public TModule Child<TModule>(string name, TModule child) where TModule : Module => Add(name, child);
}
