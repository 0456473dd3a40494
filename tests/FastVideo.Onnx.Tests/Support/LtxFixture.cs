using System.Text.Json;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>tests/fixtures/ltx-tiny: the tiny LTX-Video pipeline (0.9.5 VAE layout) and what Diffusers computed with it.</summary>
public static class LtxFixture
{
    public static string Folder => Path.Combine(Repo.Root, "tests", "fixtures", "ltx-tiny");

    /// <summary>The Diffusers-layout pipeline folder.</summary>
    public static string Model => Path.Combine(Folder, "ltx-tiny");

    public static string TextEncoder => Path.Combine(Model, "text_encoder");
    public static string Tokenizer => Path.Combine(Model, "tokenizer");
    public static string Transformer => Path.Combine(Model, "transformer");
    public static string Vae => Path.Combine(Model, "vae");
    public static string Scheduler => Path.Combine(Model, "scheduler");

    static readonly Lazy<Dictionary<string, RefTensor>> All = new(() =>
    {
        using var file = SafetensorsFile.Open(Path.Combine(Folder, "reference.safetensors"));
        var result = new Dictionary<string, RefTensor>();
        foreach (var (name, info) in file.Tensors)
        {
            float[] data;
            if (info.DType == DType.Int64)
            {
                var bytes = file.ReadBytes(info);
                data = Enumerable.Range(0, (int)info.ElementCount).Select(i => (float)BitConverter.ToInt64(bytes, i * 8)).ToArray();
            }
            else data = file.ReadSingle(info);
            result[name] = new RefTensor(data, info.Shape);
        }
        return result;
    });

    static readonly Lazy<JsonElement> Settings = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "reference.json"))).RootElement);

    public static RefTensor Get(string name) => All.Value[name];
    public static long[] Int64(string name) => Get(name).AsInt64;

    public static JsonElement Setting(string name) => Settings.Value.GetProperty(name);

    public static int MaxSequenceLength => Setting("max_sequence_length").GetInt32();
}
