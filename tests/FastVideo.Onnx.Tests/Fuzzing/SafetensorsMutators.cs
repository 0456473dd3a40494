using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>
/// Mutators of safetensors files (weights, shards, latents): the length field, the header's bytes and JSON (dtype,
/// shape, data_offsets, names, metadata, structure) and the data section. Each one starts from a valid file and
/// changes one thing, so that the reader's check for that thing is what gets exercised.
/// </summary>
public static class SafetensorsMutators
{
    // A JSON token that JsonNode cannot hold (overflowing or non-finite numbers) is written as this string, then swapped in.
    const string RawMarker = "\u0001raw\u0001";

    static readonly string[] RawNumbers =
    {
        "9223372036854775808", "18446744073709551616", "99999999999999999999999999999999", "1e30", "1e400", "-1e400",
        "1.5", "-0", "-1", "NaN", "Infinity", "0x10", "1E+2",
    };

    public static IReadOnlyList<Mutator> All { get; } = new Mutator[]
    {
        new("header-length", FileKind.Safetensors, 8, HeaderLength),
        new("header-byte", FileKind.Safetensors, 8, HeaderByte),
        new("header-invalid-utf8", FileKind.Safetensors, 5, HeaderInvalidUtf8),
        new("dtype", FileKind.Safetensors, 8, Dtype),
        new("shape-value", FileKind.Safetensors, 10, ShapeValue),
        new("shape-structure", FileKind.Safetensors, 5, ShapeStructure),
        new("shape-overflow", FileKind.Safetensors, 6, ShapeOverflow),
        new("data-offsets", FileKind.Safetensors, 10, DataOffsets),
        new("truncate", FileKind.Safetensors, 6, Truncate),
        new("extend", FileKind.Safetensors, 2, Extend),
        new("duplicate-name", FileKind.Safetensors, 4, DuplicateName),
        new("tensor-name", FileKind.Safetensors, 6, TensorName),
        new("tensor-removed-or-added", FileKind.Safetensors, 3, TensorRemovedOrAdded),
        new("metadata", FileKind.Safetensors, 3, Metadata),
        new("header-structure", FileKind.Safetensors, 4, HeaderStructure),
        new("data-bytes", FileKind.Safetensors, 2, DataBytes),
    };

    static Mutation HeaderLength(byte[] file, Random rng)
    {
        ulong actual = BinaryPrimitives.ReadUInt64LittleEndian(file);
        ulong[] choices =
        {
            0, 1, 7, actual - 1, actual + 1, actual + 8, (ulong)file.Length, (ulong)file.Length - 7, (ulong)file.Length + 1,
            uint.MaxValue, (ulong)uint.MaxValue + 1, (100UL << 20) + 1, long.MaxValue, (ulong)long.MaxValue + 1, ulong.MaxValue,
            (ulong)rng.NextInt64(),
        };
        ulong value = rng.Pick(choices.Where(c => c != actual).ToList());
        var bytes = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return new($"header length field {actual} -> {value}", bytes);
    }

    static Mutation HeaderByte(byte[] file, Random rng)
    {
        var (header, data) = SafetensorsImage.Split(file);
        int count = rng.Next(1, 5);
        var changes = new List<string>();
        for (int i = 0; i < count; i++)
        {
            int at = rng.Next(header.Length);
            byte before = header[at];
            header[at] = rng.Next(2) == 0 ? (byte)(before ^ (1 << rng.Next(8))) : (byte)(before ^ rng.Next(1, 256));
            changes.Add($"[{at}] 0x{before:X2}->0x{header[at]:X2}");
        }
        return new($"header bytes {string.Join(" ", changes)}", SafetensorsImage.Assemble(header, data));
    }

    static Mutation HeaderInvalidUtf8(byte[] file, Random rng)
    {
        var image = SafetensorsImage.Parse(file);
        var (header, data) = SafetensorsImage.Split(file);
        string name = rng.Pick(image.TensorNames);
        int at = IndexOf(header, Encoding.UTF8.GetBytes($"\"{name}\"")) + 1 + rng.Next(name.Length + 1);
        var bad = rng.Pick(FuzzRandom.InvalidUtf8);
        return new($"invalid UTF-8 {Convert.ToHexString(bad)} inserted into tensor name '{name}'",
            SafetensorsImage.Assemble(FuzzRandom.Insert(header, at, bad), data));
    }

    static Mutation Dtype(byte[] file, Random rng)
    {
        var image = SafetensorsImage.Parse(file);
        string name = rng.Pick(image.TensorNames);
        var entry = image.Entry(name);
        string current = entry["dtype"]!.GetValue<string>();
        JsonNode?[] choices =
        {
            "F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL", "U64", "F8_E4M3", "F8_E5M2", "C64",
            "float32", "f32", "", "F32 ", "\u0000", 4, null, true, new JsonObject(), new JsonArray("F32"),
        };
        var value = rng.Pick(choices.Where(c => c?.ToJsonString() != $"\"{current}\"").ToList());
        entry["dtype"] = value?.DeepClone();
        return new($"tensor '{name}' dtype {current} -> {value?.ToJsonString() ?? "null"}", image.Assemble());
    }

    static Mutation ShapeValue(byte[] file, Random rng)
    {
        var image = SafetensorsImage.Parse(file);
        string name = rng.Pick(image.TensorNames);
        var shape = (JsonArray)image.Entry(name)["shape"]!;
        string before = shape.ToJsonString();
        int at = shape.Count == 0 ? -1 : rng.Next(shape.Count);
        object[] choices =
        {
            -1L, 0L, 1L, 2L, 1L << 31, 1L << 32, 1L << 62, long.MaxValue, long.MinValue, "2", "",
            RawNumbers[0], RawNumbers[1], RawNumbers[2], RawNumbers[3], RawNumbers[6], RawNumbers[7], RawNumbers[9],
        };
        var pick = rng.Pick(choices);
        string raw = pick switch
        {
            long v => v.ToString(System.Globalization.CultureInfo.InvariantCulture),
            string s when RawNumbers.Contains(s) => s,
            string s => $"\"{s}\"",
            _ => throw new InvalidOperationException(),
        };
        if (at < 0) shape.Add(RawMarker);
        else
        {
            if (shape[at]!.ToJsonString() == raw) raw = "3";
            shape[at] = RawMarker;
        }
        string header = image.Header.ToJsonString().Replace($"\"{RawMarker}\"", raw);
        return new($"tensor '{name}' shape {before}: {(at < 0 ? "appended" : $"dim {at} ->")} {raw}",
            SafetensorsImage.Assemble(Encoding.UTF8.GetBytes(header), image.Data));
    }

    static Mutation ShapeStructure(byte[] file, Random rng)
    {
        var image = SafetensorsImage.Parse(file);
        string name = rng.Pick(image.TensorNames);
        var entry = image.Entry(name);
        var shape = (JsonArray)entry["shape"]!;
        string before = shape.ToJsonString();
        var dims = shape.Select(d => d!.GetValue<long>()).ToList();
        // Built on demand: some of them are large.
        Func<JsonNode?>[] choices =
        {
            () => new JsonArray(),
            () => new JsonArray(dims.Skip(1).Select(d => (JsonNode?)d).ToArray()),
            () => new JsonArray(dims.Append(1).Select(d => (JsonNode?)d).ToArray()),
            () => new JsonArray(dims.Append(0).Select(d => (JsonNode?)d).ToArray()),
            () => new JsonArray(dims.AsEnumerable().Reverse().Select(d => (JsonNode?)d).ToArray()),
            () => new JsonArray(Enumerable.Repeat(1L, 1000).Select(d => (JsonNode?)d).ToArray()),
            () => new JsonArray(dims.Concat(Enumerable.Repeat(1L, 100_000)).Select(d => (JsonNode?)d).ToArray()),
            () => JsonValue.Create(before), () => JsonValue.Create(dims.Aggregate(1L, (a, b) => a * b)), () => null, () => new JsonObject(),
            () => new JsonArray(new JsonArray(dims.Select(d => (JsonNode?)d).ToArray())),
        };
        var value = rng.Pick(choices)();
        if (value?.ToJsonString() == before) value = new JsonArray(dims.Append(1).Select(d => (JsonNode?)d).ToArray());
        entry["shape"] = value;
        string shown = value?.ToJsonString() ?? "null";
        if (shown.Length > 80) shown = $"{shown[..60]}... ({shown.Length} chars)";
        return new($"tensor '{name}' shape {before} -> {shown}", image.Assemble());
    }

    /// <summary>Shapes whose element count overflows 64 bits and wraps onto the byte count the data offsets give (or onto zero).</summary>
    static Mutation ShapeOverflow(byte[] file, Random rng)
    {
        var image = SafetensorsImage.Parse(file);
        string name = rng.Pick(image.TensorNames);
        var entry = image.Entry(name);
        string before = entry["shape"]!.ToJsonString();
        var offsets = (JsonArray)entry["data_offsets"]!;
        long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
        int variant = rng.Next(4);
        string description;
        switch (variant)
        {
            case 0:
                // 2^32 * 2^32 elements: the product wraps to 0, matching an empty byte range.
                entry["shape"] = new JsonArray(1L << 32, 1L << 32);
                offsets[1] = begin;
                description = "[2^32, 2^32] with empty data_offsets";
                break;
            case 1:
                // 2^62 more elements of 4 bytes: 2^64 more bytes, which wraps back to the real byte count.
                entry["shape"] = new JsonArray((end - begin) / 4 + (1L << 62));
                description = "[bytes/4 + 2^62] (wraps onto the real byte count for 4-byte types)";
                break;
            case 2:
                entry["shape"] = new JsonArray(long.MaxValue, 2L);
                description = "[2^63-1, 2]";
                break;
            default:
                entry["shape"] = new JsonArray(1L << 31, 1L << 31, 1L << 31, 1L << 31);
                offsets[1] = begin;
                description = "[2^31, 2^31, 2^31, 2^31] with empty data_offsets";
                break;
        }
        return new($"tensor '{name}' shape {before} -> {description}", image.Assemble());
    }

    static Mutation DataOffsets(byte[] file, Random rng)
    {
        var image = SafetensorsImage.Parse(file);
        var names = image.TensorNames;
        string name = rng.Pick(names);
        var entry = image.Entry(name);
        var offsets = (JsonArray)entry["data_offsets"]!;
        string before = offsets.ToJsonString();
        long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>(), length = image.Data.Length;
        var other = image.Entry(rng.Pick(names.Where(n => n != name).DefaultIfEmpty(name).ToList()));
        long otherBegin = ((JsonArray)other["data_offsets"]!)[0]!.GetValue<long>();
        string[] choices =
        {
            $"[{end},{begin}]", $"[{begin},{length + 1}]", $"[{begin + 1},{end + 1}]", $"[{length},{length + end - begin}]",
            $"[{begin},{long.MaxValue}]", $"[{long.MaxValue - 1},{long.MaxValue}]", $"[-4,{end - begin - 4}]", $"[{begin},1e20]",
            $"[{begin}]", $"[{begin},{end},{end}]", "[]", $"[\"{begin}\",\"{end}\"]", $"[{begin}.5,{end}]", "null", $"{begin}",
            $"[{otherBegin},{otherBegin + end - begin}]", $"[{begin},{begin}]", $"[{begin + 2},{end + 2}]",
            $"[{begin},{RawNumbers[1]}]", $"[{RawNumbers[0]},{end}]",
        };
        string raw = rng.Pick(choices.Where(c => c != before).ToList());
        entry["data_offsets"] = RawMarker;
        string header = image.Header.ToJsonString().Replace($"\"{RawMarker}\"", raw);
        return new($"tensor '{name}' data_offsets {before} -> {raw}", SafetensorsImage.Assemble(Encoding.UTF8.GetBytes(header), image.Data));
    }

    static Mutation Truncate(byte[] file, Random rng)
    {
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        int length = rng.Next(4) switch
        {
            0 => rng.Next(0, 8),
            1 => rng.Next(8, headerEnd),
            _ => rng.Next(headerEnd, file.Length),
        };
        return new($"truncated to {length} of {file.Length} bytes (header ends at {headerEnd})", file[..length]);
    }

    static Mutation Extend(byte[] file, Random rng)
    {
        var extra = new byte[rng.Next(1, 4097)];
        rng.NextBytes(extra);
        return new($"{extra.Length} random bytes appended to the data section", [.. file, .. extra]);
    }

    static Mutation DuplicateName(byte[] file, Random rng)
    {
        var image = SafetensorsImage.Parse(file);
        var names = image.TensorNames;
        string name = rng.Pick(names);
        string twin = rng.Pick(names);
        string header = image.Header.ToJsonString();
        // JsonObject cannot hold a key twice, so the duplicate is spliced into the text, before the original.
        string duplicate = $"\"{name}\":{image.Entry(twin).ToJsonString()},";
        string text = "{" + duplicate + header[1..];
        return new($"tensor '{name}' listed twice (first with the entry of '{twin}')", SafetensorsImage.Assemble(Encoding.UTF8.GetBytes(text), image.Data));
    }

    static Mutation TensorName(byte[] file, Random rng)
    {
        var image = SafetensorsImage.Parse(file);
        var names = image.TensorNames;
        string name = rng.Pick(names);
        string[] replacements = FuzzRandom.HostileNames
            .Concat(new[] { "__metadata__", name.ToUpperInvariant(), name + ".", "." + name, name.Replace('.', '/'), name + "\u0000" })
            .Where(n => n != name).ToArray();
        string renamed = rng.Pick(replacements);
        var rebuilt = new JsonObject();
        foreach (var (key, value) in image.Header.ToList())
        {
            image.Header.Remove(key);
            if (key == name) rebuilt[renamed] = value;
            else if (key != renamed) rebuilt[key] = value;
        }
        var header = Encoding.UTF8.GetBytes(rebuilt.ToJsonString());
        string shown = renamed.Length > 40 ? $"{renamed[..10]}... ({renamed.Length} chars)" : renamed;
        return new($"tensor '{name}' renamed to {System.Text.Json.JsonSerializer.Serialize(shown)}", SafetensorsImage.Assemble(header, image.Data));
    }

    static Mutation TensorRemovedOrAdded(byte[] file, Random rng)
    {
        var image = SafetensorsImage.Parse(file);
        string name = rng.Pick(image.TensorNames);
        int variant = rng.Next(4);
        if (variant == 3 && image.TensorNames.Count == 1) variant = 0;
        switch (variant)
        {
            case 0:
                image.Header.Remove(name);
                return new($"tensor '{name}' removed from the header", image.Assemble());
            case 1:
                image.Header["unexpected.weight"] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(0L), ["data_offsets"] = new JsonArray(0L, 0L) };
                return new("an unexpected empty tensor 'unexpected.weight' added", image.Assemble());
            case 2:
                long length = image.Data.Length;
                image.Header["unexpected.weight"] = new JsonObject
                {
                    ["dtype"] = "F32", ["shape"] = new JsonArray(4L), ["data_offsets"] = new JsonArray(length, length + 16),
                };
                return new("an unexpected tensor past the end of the data added", image.Assemble());
            default:
                foreach (var other in image.TensorNames.Where(n => n != name)) image.Header.Remove(other);
                return new($"every tensor but '{name}' removed from the header", image.Assemble());
        }
    }

    static Mutation Metadata(byte[] file, Random rng)
    {
        var image = SafetensorsImage.Parse(file);
        JsonNode?[] choices =
        {
            new JsonObject { ["format"] = 5 }, new JsonObject { ["format"] = new JsonObject { ["nested"] = new JsonArray(1, 2) } },
            new JsonArray("pt"), "pt", null, 42, new JsonObject { ["k"] = null }, new JsonObject { ["long"] = new string('m', 200_000) },
            new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(1L), ["data_offsets"] = new JsonArray(0L, 4L) },
        };
        int at = rng.Next(choices.Length);
        string before = image.Header["__metadata__"]?.ToJsonString() ?? "absent";
        image.Header["__metadata__"] = choices[at];
        string shown = choices[at]?.ToJsonString() ?? "null";
        if (shown.Length > 60) shown = $"{shown[..40]}... ({shown.Length} chars)";
        return new($"__metadata__ {before} -> {shown}", image.Assemble());
    }

    static Mutation HeaderStructure(byte[] file, Random rng)
    {
        var image = SafetensorsImage.Parse(file);
        string header = image.Header.ToJsonString();
        string name = rng.Pick(image.TensorNames);
        // Built on demand: some of them are large.
        var choices = new (string What, Func<string> Text)[]
        {
            ("root []", () => "[]"), ("root null", () => "null"), ("root 1", () => "1"), ("root string", () => "\"x\""), ("empty header", () => ""),
            ("root {}", () => "{}"), ("unclosed object", () => header[..^1]), ("trailing comma", () => header[..^1] + ",}"),
            ("nested 100000 deep", () => new string('[', 100_000) + new string(']', 100_000)),
            ("nested 200 deep", () => new string('[', 200) + new string(']', 200)),
            ($"entry '{name}' a string", () => header.Replace($"\"{name}\":{image.Entry(name).ToJsonString()}", $"\"{name}\":\"x\"")),
            ($"entry '{name}' an array", () => header.Replace($"\"{name}\":{image.Entry(name).ToJsonString()}", $"\"{name}\":[1,2]")),
            ("padded with 8 spaces", () => header + "        "), ("UTF-8 BOM first", () => "\uFEFF" + header), ("NUL padding", () => header + "\0\0\0"),
            ("two objects", () => header + "{}"), ("comments", () => "/*c*/" + header),
        };
        var (what, make) = rng.Pick(choices);
        string text = make();
        return new($"header {what}", SafetensorsImage.Assemble(Encoding.UTF8.GetBytes(text), image.Data));
    }

    static Mutation DataBytes(byte[] file, Random rng)
    {
        var (header, data) = SafetensorsImage.Split(file);
        if (data.Length < 4) return HeaderByte(file, rng);
        int count = rng.Next(1, 9);
        bool special = rng.Next(2) == 0;
        for (int i = 0; i < count; i++)
        {
            int at = rng.Next(data.Length / 4) * 4;
            uint bits = special ? rng.Pick(new uint[] { 0x7FC00000, 0x7F800000, 0xFF800000, 0x7F7FFFFF }) : (uint)rng.Next() | 1u << 31;
            if (BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at)) == bits) bits ^= 1;
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at), bits);
        }
        return new($"{count} data words set to {(special ? "NaN/Inf/max float" : "random")} values", SafetensorsImage.Assemble(header, data));
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        int at = haystack.AsSpan().IndexOf(needle);
        return at >= 0 ? at : throw new InvalidOperationException("the tensor name is not in the header text");
    }
}
