using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Core.Models;

/// <summary>
/// Component names (the keys of model_index.json and of a converted folder's manifest) are folder names inside the
/// model folder and, in Diffusers, keyword arguments of the pipeline: a letter, then letters, digits or '_'. This
/// rules out paths ('/', '\', '..', a drive, an absolute path), hidden or option-like names ('.x', '-x'), empty
/// names and control characters, so a hostile index cannot point a reader or writer outside the folder.
/// </summary>
internal static class ComponentName
{
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 128 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>Throws a one-line <see cref="ModelFormatException"/> for <paramref name="path"/> naming the key and what is wrong with it.</summary>
    public static void Require(string path, string name)
    {
        if (IsValid(name)) return;
        throw new ModelFormatException(path, $"component '{JsonText.Printable(name)}': {Problem(name)}; a component name is a folder name made of letters, digits and '_', starting with a letter");
    }

    static string Problem(string name)
    {
        if (name.Length == 0) return "the name is empty";
        if (name.Length > 128) return $"the name is {name.Length} characters long";
        if (name is "." or "..") return "the name is a relative path";
        if (name.IndexOfAny(new[] { '/', '\\' }) >= 0) return "the name contains a path separator";
        if (name.Contains(':')) return "the name contains a drive or stream separator ':'";
        if (name.Any(char.IsControl)) return "the name contains control characters";
        if (name[0] is '-' or '.') return $"the name starts with '{name[0]}'";
        return "the name contains characters other than letters, digits and '_'";
    }
}
