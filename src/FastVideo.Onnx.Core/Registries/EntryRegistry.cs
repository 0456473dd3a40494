using System.Reflection;
using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Core.Registries;

/// <summary>
/// Name to type map built by reflection over assemblies: every concrete <typeparamref name="TService"/> that carries a
/// <typeparamref name="TAttribute"/> is registered under each of the attribute's names.
/// </summary>
internal sealed class EntryRegistry<TAttribute, TService>
    where TAttribute : NamedEntryAttribute
    where TService : class
{
    readonly Dictionary<string, Type> _types = new(StringComparer.Ordinal);

    /// <summary>What the registry holds, for messages: "pipeline", "component exporter".</summary>
    public string Kind { get; }

    public EntryRegistry(string kind, params Assembly[] assemblies)
    {
        Kind = kind;
        foreach (var assembly in assemblies.Distinct())
        foreach (var type in assembly.GetTypes())
        {
            if (type.IsAbstract || !typeof(TService).IsAssignableFrom(type)) continue;
            var attribute = type.GetCustomAttribute<TAttribute>();
            if (attribute is null) continue;
            foreach (var name in attribute.Names)
            {
                if (_types.TryGetValue(name, out var existing))
                    throw new InvalidOperationException($"{kind} '{name}' is claimed by both {existing.FullName} and {type.FullName}");
                _types[name] = type;
            }
        }
    }

    public IReadOnlyCollection<string> Names => _types.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();

    public bool Contains(string name) => _types.ContainsKey(name);

    public Type Resolve(string name, string context) =>
        _types.TryGetValue(name, out var type)
            ? type
            : throw new FastVideoException($"{context}: unknown {Kind} '{name}' (known: {string.Join(", ", Names)})");

    /// <summary>Creates the entry for <paramref name="name"/> with its public parameterless constructor.</summary>
    public TService Create(string name, string context) => (TService)Activator.CreateInstance(Resolve(name, context))!;
}
