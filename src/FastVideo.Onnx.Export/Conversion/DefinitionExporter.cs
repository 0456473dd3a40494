using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Onnx;

namespace FastVideo.Onnx.Export.Conversion;

/// <summary>One ONNX file a component is exported as.</summary>
internal sealed record GraphSpec(string File, Func<OnnxGraphBuilder> Build);

/// <summary>
/// The shared conversion flow for components that have a model definition: read config.json, build the definition,
/// check the weights strictly against it, then write each of its graphs (one external data file for all of them), the
/// config and the manifest. Subclasses say how to build the definition and which graphs it has.
/// </summary>
internal abstract class DefinitionExporter<TModel> : IComponentExporter, IDefinitionProvider where TModel : ModelDefinition
{
    public ModelDefinition Define(ComponentSource source) => CreateDefinition(JsonConfig.Load(source.ConfigPath()), source);

    /// <summary>Builds the definition from config.json; configuration errors name the file and field.</summary>
    protected abstract TModel CreateDefinition(JsonConfig config, ComponentSource source);

    /// <summary>The config.json fields the source library's class reads; any other field gets a notice naming it.</summary>
    protected abstract IReadOnlyCollection<string> ConfigFieldsRead { get; }

    /// <summary>The graphs to write, at <paramref name="precision"/>.</summary>
    protected abstract IReadOnlyList<GraphSpec> Graphs(TModel model, DType precision);

    /// <summary>The graphs to write for <paramref name="source"/> (by default <see cref="Graphs(TModel, DType)"/>; options of the request may add some).</summary>
    protected virtual IReadOnlyList<GraphSpec> Graphs(TModel model, DType precision, ComponentSource source) => Graphs(model, precision);

    /// <summary>The precision to export when <paramref name="requested"/> is asked for; explain any change in <paramref name="notes"/>.</summary>
    protected virtual DType ResolvePrecision(DType requested, List<string> notes) => requested;

    /// <summary>Checks that need other components of the folder (channel counts that must agree, ...).</summary>
    protected virtual void CheckConsistency(TModel model, ComponentSource source) { }

    /// <summary>Notes on what the definition exports, recorded in the manifest (and shown by inspect).</summary>
    protected virtual IEnumerable<string> Describe(TModel model) => Array.Empty<string>();

    /// <summary>The name of the external data file shared by the component's graphs.</summary>
    protected virtual string DataFileName => "model.onnx.data";

    public PreparedComponent Prepare(ComponentSource source)
    {
        var config = JsonConfig.Load(source.ConfigPath());
        var model = CreateDefinition(config, source);
        CheckConsistency(model, source);
        WeightArchive? archive = null;
        IWeightSource weights;
        if (source.SyntheticWeights is not null) weights = source.SyntheticWeights(model.Parameters());
        else
        {
            archive = WeightArchive.Open(source.Folder);
            try
            {
                model.CheckWeights(archive);
            }
            catch
            {
                archive.Dispose();
                throw;
            }
            weights = new CheckpointWeights(archive);
        }
        var prepared = new Prepared(this, source, config, model, archive, weights);
        if (ConfigFields.IgnoredNotice(config, model.ClassName, ConfigFieldsRead) is { } notice) prepared.Notices.Add(notice);
        prepared.Resolve();
        prepared.Notes.AddRange(Describe(model));
        return prepared;
    }

    sealed class Prepared : PreparedComponent
    {
        readonly DefinitionExporter<TModel> _exporter;
        readonly ComponentSource _source;
        readonly JsonConfig _config;
        readonly TModel _model;
        readonly WeightArchive? _archive;
        readonly IWeightSource _weights;
        DType _precision;

        public Prepared(DefinitionExporter<TModel> exporter, ComponentSource source, JsonConfig config, TModel model,
            WeightArchive? archive, IWeightSource weights)
        {
            _exporter = exporter;
            _source = source;
            _config = config;
            _model = model;
            _archive = archive;
            _weights = weights;
        }

        public void Resolve() => _precision = _exporter.ResolvePrecision(_source.Precision, Notes);

        public override string ClassName => _model.ClassName;
        public override DType Precision => _precision;

        public override long EstimatedBytes =>
            _model.Parameters().Sum(p => p.ElementCount * (p.KeepFloat32 ? 4 : _precision.Size()));

        public override ComponentManifest Write(string outputFolder, IProgress<long> bytesWritten, CancellationToken cancel)
        {
            var writer = new OnnxModelWriter();
            var graphs = new List<(OnnxGraphBuilder Graph, string File)>();
            long before = 0;
            using (var data = new ExternalDataFile(Path.Combine(outputFolder, _exporter.DataFileName)))
            {
                foreach (var spec in _exporter.Graphs(_model, _precision, _source))
                {
                    cancel.ThrowIfCancellationRequested();
                    var graph = spec.Build();
                    long start = before;
                    writer.Write(graph, _weights, Path.Combine(outputFolder, spec.File), $"{_source.Name}/{Path.GetFileNameWithoutExtension(spec.File)}",
                        data, new Progress(bytesWritten, start), cancel);
                    before = data.Length;
                    bytesWritten.Report(before);
                    graphs.Add((graph, spec.File));
                }
            }
            string dataPath = Path.Combine(outputFolder, _exporter.DataFileName);
            long dataBytes = new FileInfo(dataPath).Length;
            if (dataBytes == 0) File.Delete(dataPath);
            File.Copy(_config.Path, Path.Combine(outputFolder, "config.json"));
            var manifest = new ComponentManifest(_source.Name, _model.ClassName, _precision.ShortName(), graphs[0].Graph.Opset,
                graphs.Select(g => ManifestFactory.Graph(g.Graph, outputFolder, g.File, _exporter.DataFileName)).ToList())
            {
                SourceFingerprint = SourceFingerprint.Compute(_config.Path, _archive),
                DataBytes = dataBytes,
                Notes = Notes.ToList(),
            };
            manifest.Save(outputFolder);
            return manifest;
        }

        /// <summary>Reports progress of one graph offset by what earlier graphs wrote.</summary>
        sealed class Progress(IProgress<long> inner, long offset) : IProgress<long>
        {
            public void Report(long value) => inner.Report(offset + value);
        }

        public override void Dispose() => _archive?.Dispose();
    }
}
