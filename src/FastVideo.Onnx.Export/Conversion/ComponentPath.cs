using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Export.Conversion;

/// <summary>
/// The one way the converter turns an untrusted component name (a model_index.json key, a fastvideo_onnx.json entry)
/// into a path: the name must be a single folder name, so the path stays inside <c>root</c>.
/// </summary>
internal static class ComponentPath
{
    /// <summary><paramref name="root"/>/<paramref name="name"/>; <paramref name="file"/> is the file that lists the name, for the error.</summary>
    public static string Combine(string root, string name, string file)
    {
        if (!IsFolderName(name))
            throw new ModelFormatException(file, $"component name '{name}' is not a plain folder name (it must not be empty, '.', '..', rooted or contain a path separator)");
        return Path.Combine(root, name);
    }

    public static bool IsFolderName(string name) =>
        name.Length > 0 && name is not ("." or "..") && !Path.IsPathRooted(name)
        && name.IndexOfAny(['/', '\\', '\0']) < 0 && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0;
}
