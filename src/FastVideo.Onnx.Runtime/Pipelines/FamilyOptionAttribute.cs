namespace FastVideo.Onnx.Runtime.Pipelines;

/// <summary>
/// Marks a <see cref="GenerationRequest"/> property that only some families' pipelines read. A pipeline lists the ones
/// it reads in <see cref="RequestRules.FamilyOptions"/>; input validation refuses the others, so that an option meant for
/// another family is not silently ignored.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class FamilyOptionAttribute : Attribute
{
}
