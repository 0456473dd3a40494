using FastVideo.Onnx.Core.Registries;

namespace FastVideo.Onnx.Runtime.Schedulers;

/// <summary>
/// Names the <c>_class_name</c> values of <c>scheduler_config.json</c> that an <see cref="IScheduler"/> reproduces.
/// The class needs a public constructor <c>(JsonConfig, SchedulerOverrides?)</c>; <see cref="SchedulerFactory"/> finds it
/// by reflection.
/// </summary>
internal sealed class SchedulerAttribute : NamedEntryAttribute
{
    public SchedulerAttribute(params string[] classNames) : base(classNames) { }
}
