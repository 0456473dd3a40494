namespace FastVideo.Onnx.Core.Json;

/// <summary>
/// Keys that every Diffusers or transformers config carries as bookkeeping (the library version that saved it, the
/// class it was saved from, the dtype it was saved in) rather than as a model setting. Notices about fields a class
/// does not read leave them out: they are on every published folder and change nothing.
/// </summary>
internal static class ConfigMetadata
{
    static readonly HashSet<string> Keys = new(StringComparer.Ordinal)
    {
        "transformers_version", "architectures", "model_type", "torch_dtype", "dtype",
    };

    /// <summary>True for underscore-prefixed keys (<c>_class_name</c>, <c>_diffusers_version</c>, <c>_name_or_path</c>) and transformers' saved-by keys.</summary>
    public static bool IsMetadata(string key) => key.StartsWith('_') || Keys.Contains(key);
}
