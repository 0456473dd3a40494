using System.Reflection;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Registries;

namespace FastVideo.Onnx.Runtime.Schedulers;

/// <summary>
/// Builds the scheduler a model folder asks for: <c>scheduler_config.json</c>'s <c>_class_name</c> selects a class
/// marked with <see cref="SchedulerAttribute"/>, which reads the rest of the file.
/// </summary>
internal static class SchedulerFactory
{
    public const string ConfigFileName = "scheduler_config.json";

    static readonly Lazy<EntryRegistry<SchedulerAttribute, IScheduler>> Registry =
        new(() => new EntryRegistry<SchedulerAttribute, IScheduler>("scheduler", typeof(SchedulerFactory).Assembly));

    /// <summary>The <c>_class_name</c> values that can be built.</summary>
    public static IReadOnlyCollection<string> KnownClassNames => Registry.Value.Names;

    /// <summary>Loads <paramref name="path"/>: a <c>scheduler</c> folder or a <c>scheduler_config.json</c> file.</summary>
    public static IScheduler Load(string path, SchedulerOverrides? overrides = null)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, ConfigFileName) : path;
        return Create(JsonConfig.Load(file), overrides);
    }

    public static IScheduler Create(JsonConfig config, SchedulerOverrides? overrides = null)
    {
        string className = config.ClassName ?? throw new ModelFormatException(config.Path, "field '_class_name' is missing");
        var type = Registry.Value.Resolve(className, $"{config.Path}: field '_class_name'");
        var constructor = type.GetConstructor([typeof(JsonConfig), typeof(SchedulerOverrides)])
            ?? throw new InvalidOperationException($"{type.FullName} lacks a public ({nameof(JsonConfig)}, {nameof(SchedulerOverrides)}) constructor");
        // The constructor's own error (a config field it rejects) is what the user needs to see.
        return (IScheduler)Reflected.Create(constructor, config, overrides);
    }
}
