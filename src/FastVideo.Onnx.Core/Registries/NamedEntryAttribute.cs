namespace FastVideo.Onnx.Core.Registries;

/// <summary>
/// Marks a class as the entry for one or more names found in model folders (a pipeline's or a component's
/// <c>_class_name</c>), like FastVideo's <c>EntryClass</c>. Registries find these by reflection: adding a model
/// family means adding classes, never editing a switch.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public abstract class NamedEntryAttribute : Attribute
{
    public IReadOnlyList<string> Names { get; }

    protected NamedEntryAttribute(params string[] names)
    {
        if (names.Length == 0) throw new ArgumentException("at least one name is required", nameof(names));
        Names = names;
    }
}
