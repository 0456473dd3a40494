using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Pipelines;

namespace FastVideo.Onnx.Server;

/// <summary>A converted model folder the server serves, under the name clients pass as <c>model</c>.</summary>
/// <param name="Rules">What the model's pipeline accepts (size multiple, frame layout, whether it takes an image), from its configs.</param>
public sealed record ServedModel(string Name, string Folder, string Pipeline, SamplingDefaults Defaults, RequestRules Rules, long CreatedAt)
{
    /// <summary>
    /// Reads <c>NAME=DIR</c> or <c>DIR</c> (named after the folder): checks the folder is converted and finds its
    /// preset, so a bad folder stops the server at start rather than failing every job.
    /// </summary>
    public static ServedModel Open(string spec)
    {
        string name, folder;
        int eq = spec.IndexOf('=');
        if (eq > 0 && !Directory.Exists(spec))
        {
            name = spec[..eq];
            folder = spec[(eq + 1)..];
        }
        else
        {
            folder = spec;
            name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(spec)));
        }
        if (name.Length == 0 || name.Length > 128 || name.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            throw new InvalidRequestException("--model", $"'{name}' is not a usable model name (1-128 characters, no spaces)");
        folder = Path.GetFullPath(folder);
        var model = ConvertedModel.Load(folder);
        var defaults = VideoGenerator.ResolvePreset(folder, null)?.Sampling ?? new SamplingDefaults();
        long created = new DateTimeOffset(Directory.GetLastWriteTimeUtc(folder)).ToUnixTimeSeconds();
        return new ServedModel(name, folder, model.Pipeline, defaults, VideoGenerator.RulesOf(folder), created);
    }
}
