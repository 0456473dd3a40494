using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Modeling;

/// <summary>
/// The root of a component definition: a module tree plus the checkpoint conventions of its Diffusers class
/// (which modules stay float32, which unexpected keys are tolerated).
/// </summary>
internal abstract class ModelDefinition : Module
{
    /// <summary>The Diffusers/transformers class this definition reproduces.</summary>
    public abstract string ClassName { get; }

    /// <summary>
    /// Module names whose weights stay float32 at every precision, matched against each segment of a dotted name as
    /// Diffusers matches <c>_keep_in_fp32_modules</c>.
    /// </summary>
    protected virtual IReadOnlyCollection<string> KeepFloat32Modules => Array.Empty<string>();

    /// <summary>Checkpoint keys that may be present without a matching parameter (tied or legacy weights).</summary>
    protected virtual bool IsIgnorableKey(string key) => false;

    /// <summary>Assigns every parameter its dotted checkpoint name. Call at the end of the subclass constructor.</summary>
    protected void Finish() => AssignPaths("", KeepFloat32Modules, false);

    /// <summary>
    /// Strict loading: every parameter must be in <paramref name="weights"/> with the same shape, and every tensor there
    /// must be a parameter (or ignorable). The error names the weight file and the first offending keys.
    /// </summary>
    public void CheckWeights(WeightArchive weights)
    {
        var parameters = Parameters().ToDictionary(p => p.Name, StringComparer.Ordinal);
        string FileOf(string key) => weights.Find(key)?.File.Path ?? weights.Files.FirstOrDefault()?.Path ?? weights.Folder;
        static string List(IReadOnlyList<string> keys) =>
            string.Join(", ", keys.Take(3).Select(k => $"'{k}'")) + (keys.Count > 3 ? $" and {keys.Count - 3} more" : "");

        var missing = parameters.Keys.Where(k => weights.Find(k) is null).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
            throw new ModelFormatException(FileOf(""), $"missing {ClassName} weight{(missing.Count > 1 ? "s" : "")} {List(missing)}");

        var unexpected = weights.Tensors.Keys.Where(k => !parameters.ContainsKey(k) && !IsIgnorableKey(k))
            .OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0)
            throw new ModelFormatException(FileOf(unexpected[0]),
                $"unexpected tensor{(unexpected.Count > 1 ? "s" : "")} {List(unexpected)} (not a parameter of {ClassName} with this config.json)");

        foreach (var p in parameters.Values)
        {
            var t = weights.Find(p.Name)!;
            if (!t.Shape.SequenceEqual(p.Shape))
                throw new ModelFormatException(t.File.Path, $"tensor '{p.Name}' has shape {t.ShapeText}, but config.json implies {p.ShapeText}");
            if (!t.DType.IsFloat() && p.Shape.Length > 0)
                throw new ModelFormatException(t.File.Path, $"tensor '{p.Name}' is {t.DType}; weights must be floating point");
        }
    }
}
