using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Conversion;

/// <summary>
/// Components that carry no weights (tokenizers, schedulers, image processors) are copied as they are: the runtime
/// reads their files directly.
/// </summary>
[ComponentExporter("T5Tokenizer", "T5TokenizerFast", "AutoTokenizer", "UMT5Tokenizer",
    "UniPCMultistepScheduler", "FlowMatchEulerDiscreteScheduler",
    "CLIPImageProcessor", "CLIPImageProcessorFast", "CLIPFeatureExtractor")]
internal sealed class CopiedComponentExporter : IComponentExporter
{
    public PreparedComponent Prepare(ComponentSource source)
    {
        if (!Directory.Exists(source.Folder))
            throw new Core.Errors.ModelFormatException(source.Folder, $"component folder missing (model_index.json lists '{source.Name}')");
        return new Prepared(source);
    }

    sealed class Prepared(ComponentSource source) : PreparedComponent
    {
        public override string ClassName => source.Entry.ClassName;
        public override DType Precision => DType.Float32;
        public override long EstimatedBytes => Directory.GetFiles(source.Folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

        public override ComponentManifest Write(string outputFolder, IProgress<long> bytesWritten, CancellationToken cancel)
        {
            long done = 0;
            foreach (var file in Directory.GetFiles(source.Folder, "*", SearchOption.AllDirectories))
            {
                cancel.ThrowIfCancellationRequested();
                string target = Path.Combine(outputFolder, Path.GetRelativePath(source.Folder, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
                done += new FileInfo(file).Length;
                bytesWritten.Report(done);
            }
            return new ComponentManifest(source.Name, ClassName, "none", 0, Array.Empty<GraphManifest>()) { DataBytes = done };
        }
    }
}
