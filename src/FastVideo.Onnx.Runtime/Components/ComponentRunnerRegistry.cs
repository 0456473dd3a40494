using System.Reflection;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Registries;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>
/// Runners by the component class of a converted component (its manifest's <c>class_name</c>), found by reflection over
/// <see cref="ComponentRunnerAttribute"/> in this assembly and any the caller adds: a new family's components are new
/// classes, not an edited switch. A pipeline asks for a role (<see cref="IDenoiser"/>, ...) and gets the runner of
/// whatever class the component is.
/// </summary>
public sealed class ComponentRunnerRegistry
{
    readonly EntryRegistry<ComponentRunnerAttribute, IDisposable> _entries;

    public static ComponentRunnerRegistry Default { get; } = new();

    public ComponentRunnerRegistry(params Assembly[] extraAssemblies) =>
        _entries = new EntryRegistry<ComponentRunnerAttribute, IDisposable>("component runner",
            extraAssemblies.Prepend(typeof(ComponentRunnerRegistry).Assembly).ToArray());

    public IReadOnlyCollection<string> Names => _entries.Names;

    /// <summary>Opens <paramref name="request"/>'s component with the runner of its class, as the role <typeparamref name="TRole"/>.</summary>
    public TRole Open<TRole>(ComponentRequest request) where TRole : class, IDisposable
    {
        var (_, type) = Resolve(request.ModelFolder, request.Component, typeof(TRole),
            (component, className, runner) => $"component '{component}' is a {className}, which cannot serve as {RoleName(typeof(TRole))} ({runner} does not implement it)");
        return (TRole)Reflected.InvokeGeneric(typeof(ComponentRunnerRegistry), nameof(OpenRunner), type, request);
    }

    static object OpenRunner<TRunner>(ComponentRequest request) where TRunner : IComponentRunner<TRunner> => TRunner.Open(request);

    /// <summary>The denoiser footprint of a converted component, read by its class's runner from its config.</summary>
    internal DenoiserFootprint DenoiserFootprint(string modelFolder, string component) =>
        (DenoiserFootprint)ReadFootprint(modelFolder, component, typeof(IDenoiserFootprintReader), nameof(DenoiserOf));

    /// <summary>The VAE footprint of a converted component, read by its class's runner from its config.</summary>
    internal VaeFootprint VaeFootprint(string modelFolder, string component) =>
        (VaeFootprint)ReadFootprint(modelFolder, component, typeof(IVaeFootprintReader), nameof(VaeOf));

    object ReadFootprint(string modelFolder, string component, Type reader, string method)
    {
        var (folder, type) = Resolve(modelFolder, component, reader,
            (name, className, runner) => $"component '{name}' is a {className}, whose memory needs cannot be estimated ({runner} does not state them)");
        return Reflected.InvokeGeneric(typeof(ComponentRunnerRegistry), method, type, folder.Config());
    }

    static DenoiserFootprint DenoiserOf<TRunner>(Core.Json.JsonConfig config) where TRunner : IDenoiserFootprintReader => TRunner.Footprint(config);

    static VaeFootprint VaeOf<TRunner>(Core.Json.JsonConfig config) where TRunner : IVaeFootprintReader => TRunner.Footprint(config);

    /// <summary>
    /// The runner of <paramref name="component"/>'s class (its manifest's <c>class_name</c>), which must implement
    /// <paramref name="required"/>; otherwise an error on the manifest, worded by <paramref name="refusal"/> (component,
    /// class, runner).
    /// </summary>
    (ComponentFolder Folder, Type Runner) Resolve(string modelFolder, string component, Type required, Func<string, string, string, string> refusal)
    {
        var folder = ComponentFolder.Open(modelFolder, component);
        string manifest = Path.Combine(folder.Path, ComponentManifest.FileName);
        var type = _entries.Resolve(folder.Manifest.ClassName, $"{manifest}: field 'class_name'");
        if (!required.IsAssignableFrom(type)) throw new ModelFormatException(manifest, refusal(component, folder.Manifest.ClassName, type.Name));
        return (folder, type);
    }

    /// <summary>"a denoiser" for <see cref="IDenoiser"/>: the role's name for messages.</summary>
    static string RoleName(Type role) => role.Name switch
    {
        nameof(IDenoiser) => "the denoiser",
        nameof(ITextEncoder) => "a text encoder",
        nameof(IImageEncoder) => "an image encoder",
        nameof(IVaeDecoder) => "a VAE decoder",
        nameof(IVaeEncoder) => "a VAE encoder",
        _ => role.Name,
    };
}
