namespace FastVideo.Onnx.Export.Conversion;

/// <summary>The checked components of one conversion, ready to be written, and the folder-level notices.</summary>
sealed class ConversionPlan(string indexPath) : IDisposable
{
    public string IndexPath { get; } = indexPath;
    public List<(Core.Models.ComponentEntry Entry, PreparedComponent Component)> Components { get; } = new();
    public List<string> Notices { get; } = new();

    public void Dispose()
    {
        foreach (var (_, component) in Components) component.Dispose();
    }
}
