using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Export.Conversion;

/// <summary>
/// Notices for config.json fields that the source library's class does not read (keys left by other versions,
/// settings of a model's other half such as a T5 decoder): they change nothing, but they are named rather than
/// dropped silently. Fields the class reads and this port does not implement are refused by the config readers.
/// </summary>
internal static class ConfigFields
{
    /// <summary>A one-line notice naming the fields of <paramref name="config"/> outside <paramref name="read"/>, or null.</summary>
    public static string? IgnoredNotice(JsonConfig config, string className, IReadOnlyCollection<string> read)
    {
        var ignored = config.Root.Select(f => f.Key).Where(k => !ConfigMetadata.IsMetadata(k) && !read.Contains(k)).ToList();
        return ignored.Count == 0 ? null
            : $"{config.Path}: {className} does not read {string.Join(", ", ignored.Select(k => $"'{k}'"))}; ignored";
    }
}
