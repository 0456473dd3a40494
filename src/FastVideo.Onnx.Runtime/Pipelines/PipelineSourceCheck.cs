using System.Reflection;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime.Imaging;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Runtime.Tokenizers;

namespace FastVideo.Onnx.Runtime.Pipelines;

/// <summary>
/// What the runtime will read from a model folder, checked before it is converted: a pipeline is registered for its
/// <c>_class_name</c>, and the folders that are copied as they are (scheduler, tokenizer, image processor) parse with
/// the same code that loads them at generation time. Lets convert refuse what generate would refuse.
/// </summary>
internal static class PipelineSourceCheck
{
    /// <summary>The copied components the pipelines read, by the folder name they open, with the runtime's reader for each.</summary>
    static readonly IReadOnlyDictionary<string, Action<string>> CopiedReaders = new Dictionary<string, Action<string>>(StringComparer.Ordinal)
    {
        ["scheduler"] = folder => (SchedulerFactory.Load(folder) as IDisposable)?.Dispose(),
        ["tokenizer"] = folder => T5PromptTokenizer.FromFolder(folder),
        ["image_processor"] = folder => ClipImageProcessor.FromFolder(folder),
    };

    /// <summary>Throws when <paramref name="index"/>'s pipeline class has no runtime pipeline, naming it and listing those that do.</summary>
    public static void CheckPipelineClass(ModelIndex index, params Assembly[] pipelineAssemblies)
    {
        var names = new PipelineRegistry(pipelineAssemblies).Names;
        if (!names.Contains(index.PipelineClass))
            throw new ModelFormatException(Path.Combine(index.Folder, ModelIndex.FileName),
                $"field '_class_name' is '{index.PipelineClass}', which no runtime pipeline serves (supported: {string.Join(", ", names)})");
    }

    /// <summary>Reads <paramref name="folder"/> as the runtime will when it is the component <paramref name="name"/>; other names pass.</summary>
    public static void CheckCopiedComponent(string name, string folder)
    {
        if (CopiedReaders.TryGetValue(name, out var read) && Directory.Exists(folder)) read(folder);
    }
}
