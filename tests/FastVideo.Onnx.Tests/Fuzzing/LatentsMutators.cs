using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>
/// Mutators that keep a --latents file well-formed but change what it holds (shape, dtype, name, values), so that
/// generate's checks of the tensor itself run, not only the safetensors reader's.
/// </summary>
public static class LatentsMutators
{
    public const string TensorName = "latents";

    /// <summary>The valid latents for the tiny model at 64x64 and 9 frames: [1, 16, 3, 8, 8].</summary>
    public static readonly long[] Shape = { 1, 16, 3, 8, 8 };

    public static IReadOnlyList<Mutator> All { get; } = new Mutator[]
    {
        new("latents-shape", FileKind.Latents, 10, ReShape),
        new("latents-dtype", FileKind.Latents, 5, ReType),
        new("latents-name", FileKind.Latents, 4, Rename),
        new("latents-values", FileKind.Latents, 3, Values),
    };

    static readonly long[][] Shapes =
    {
        new long[] { 16, 3, 8, 8 }, new long[] { 1, 16, 3, 8, 8, 1 }, new long[] { 2, 16, 3, 8, 8 }, new long[] { 1, 4, 3, 8, 8 },
        new long[] { 1, 16, 1, 8, 8 }, new long[] { 1, 16, 3, 4, 4 }, new long[] { 1, 16, 3, 8, 7 }, new long[] { 1, 16, 0, 8, 8 },
        new long[] { 1, 16, 3, 16, 16 }, new long[] { 0 }, new long[] { }, new long[] { 1, 16, 2, 8, 8 }, new long[] { 1, 36, 3, 8, 8 },
        new long[] { 1, 16, 3, 1, 1 }, new long[] { 1, 16, 5, 8, 8 },
    };

    static Mutation ReShape(byte[] file, Random rng)
    {
        var shape = rng.Pick(Shapes);
        long elements = shape.Aggregate(1L, (a, b) => a * b);
        var values = Floats(file);
        var data = new byte[elements * 4];
        for (long i = 0; i < elements; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan((int)(i * 4)), values[i % values.Length]);
        return new($"latents reshaped to [{string.Join(", ", shape)}] (consistent header)", Build(TensorName, "F32", shape, data));
    }

    static Mutation ReType(byte[] file, Random rng)
    {
        var (dtype, size) = rng.Pick(new (string, int)[] { ("F16", 2), ("BF16", 2), ("F64", 8), ("I64", 8), ("I32", 4), ("U8", 1), ("BOOL", 1), ("I8", 1) });
        long elements = Shape.Aggregate(1L, (a, b) => a * b);
        var data = new byte[elements * size];
        rng.NextBytes(data);
        return new($"latents stored as {dtype} (consistent header)", Build(TensorName, dtype, Shape, data));
    }

    static Mutation Rename(byte[] file, Random rng)
    {
        var image = SafetensorsImage.Parse(file);
        var entry = image.Entry(TensorName);
        string[] names = { "Latents", "latent", "latents ", " latents", "noise", "latents\u0000", "" };
        string name = rng.Pick(names);
        var header = new JsonObject();
        if (rng.Next(3) == 0)
        {
            // Keep 'latents' and add a second, empty tensor: the reader must pick the right one or say why not.
            header[TensorName] = entry.DeepClone();
            header[name.Length == 0 ? "extra" : name] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(0L), ["data_offsets"] = new JsonArray(0L, 0L) };
            return new($"a second tensor '{name}' beside 'latents'", SafetensorsImage.Assemble(System.Text.Encoding.UTF8.GetBytes(header.ToJsonString()), image.Data));
        }
        header[name] = entry.DeepClone();
        return new($"latents renamed to {System.Text.Json.JsonSerializer.Serialize(name)}",
            SafetensorsImage.Assemble(System.Text.Encoding.UTF8.GetBytes(header.ToJsonString()), image.Data));
    }

    static Mutation Values(byte[] file, Random rng)
    {
        var (what, value) = rng.Pick(new (string, float)[]
        {
            ("NaN", float.NaN), ("+Infinity", float.PositiveInfinity), ("-Infinity", float.NegativeInfinity), ("3e38", 3e38f), ("0", 0f),
        });
        bool all = rng.Next(2) == 0;
        var (header, data) = SafetensorsImage.Split(file);
        for (int i = 0; i < data.Length / 4; i++)
            if (all || rng.Next(16) == 0) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), value);
        if (!all) BinaryPrimitives.WriteSingleLittleEndian(data, value);
        return new($"{(all ? "every" : "some")} latents value(s) set to {what}", SafetensorsImage.Assemble(header, data));
    }

    static float[] Floats(byte[] file)
    {
        var (_, data) = SafetensorsImage.Split(file);
        var values = new float[Math.Max(1, data.Length / 4)];
        for (int i = 0; i < data.Length / 4; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(i * 4));
        return values;
    }

    /// <summary>A well-formed single-tensor safetensors file.</summary>
    public static byte[] Build(string name, string dtype, long[] shape, byte[] data)
    {
        var header = new JsonObject
        {
            [name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(shape.Select(d => (JsonNode?)d).ToArray()),
                ["data_offsets"] = new JsonArray(0L, (long)data.Length),
            },
        };
        return SafetensorsImage.Assemble(System.Text.Encoding.UTF8.GetBytes(header.ToJsonString()), data);
    }
}
