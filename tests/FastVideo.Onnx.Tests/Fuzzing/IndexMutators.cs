using System.Text.Json;
using System.Text.Json.Nodes;

namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>
/// Mutators that know the two index files: model_index.json (component names are folder names, entries are
/// [library, class]) and a sharded checkpoint's index (weight_map names files beside it, metadata.total_size).
/// </summary>
public static class IndexMutators
{
    public static IReadOnlyList<Mutator> All { get; } = new Mutator[]
    {
        new("model-index-component-name", FileKind.ModelIndex, 8, ComponentName),
        new("model-index-entry", FileKind.ModelIndex, 6, ComponentEntry),
        new("model-index-class", FileKind.ModelIndex, 4, PipelineClass),
        new("shard-index-file", FileKind.ShardIndex, 8, ShardFile),
        new("shard-index-map", FileKind.ShardIndex, 6, ShardMap),
    };

    static IReadOnlyList<string> Components(JsonObject root) =>
        root.Where(p => !p.Key.StartsWith('_') && p.Value is JsonArray { Count: 2 } a && a[0] is not null).Select(p => p.Key).ToList();

    /// <summary>A component renamed (or a new one added) to a name that is a path, a traversal or not a folder name at all.</summary>
    static Mutation ComponentName(byte[] file, Random rng)
    {
        var root = JsonMutators.ParseObject(file);
        string component = rng.Pick(Components(root));
        string[] names = FuzzRandom.HostileNames
            .Concat(new[] { $"{component}/.", $"./{component}", $"{component}/../{component}", $"../{component}", $"/{component}", component.ToUpperInvariant() })
            .ToArray();
        string name = rng.Pick(names);
        bool add = rng.Next(3) == 0;
        var rebuilt = new JsonObject();
        foreach (var (key, value) in root.ToList())
        {
            root.Remove(key);
            if (key == name) continue;
            if (key == component && !add) rebuilt[name] = value;
            else rebuilt[key] = value;
        }
        if (add) rebuilt[name] = rebuilt[component]!.DeepClone();
        string shown = JsonSerializer.Serialize(name.Length > 40 ? $"{name[..10]}... ({name.Length} chars)" : name);
        return new(add ? $"component {shown} added as a copy of '{component}'" : $"component '{component}' renamed to {shown}", JsonMutators.Write(rebuilt));
    }

    static Mutation ComponentEntry(byte[] file, Random rng)
    {
        var root = JsonMutators.ParseObject(file);
        string component = rng.Pick(Components(root));
        string before = root[component]!.ToJsonString();
        string[] entries =
        {
            "[\"diffusers\"]", "[\"diffusers\", \"AutoencoderKLWan\", \"x\"]", "[1, 2]", "\"AutoencoderKLWan\"", "{}", "[]",
            "[\"diffusers\", null]", "[null, \"AutoencoderKLWan\"]", "[\"diffusers\", \"\"]", "[\"\", \"AutoencoderKLWan\"]",
            "[\"diffusers\", \"NoSuchModel\"]", "[\"diffusers\", \"WanTransformer3DModel\"]", "[\"diffusers\", \"AutoencoderKLWan\"]",
            "[\"transformers\", \"UMT5EncoderModel\"]", "[\"diffusers\", \"UniPCMultistepScheduler\"]", "[\"transformers\", \"CLIPVisionModel\"]",
            "[\"diffusers\", [\"nested\"]]", $"[\"diffusers\", \"{new string('C', 10_000)}\"]",
        };
        string raw = rng.Pick(entries.Where(e => JsonNode.Parse(e)!.ToJsonString() != before).ToList());
        root[component] = "\u0001raw\u0001";
        return new($"component '{component}' entry {before} -> {(raw.Length > 60 ? raw[..40] + "..." : raw)}", JsonMutators.Write(root, raw));
    }

    static Mutation PipelineClass(byte[] file, Random rng)
    {
        var root = JsonMutators.ParseObject(file);
        string before = root["_class_name"]?.ToJsonString() ?? "absent";
        string[] values =
        {
            "\"WanPipeline\"", "\"WanImageToVideoPipeline\"", "\"NoSuchPipeline\"", "\"\"", "null", "1", "[]", "{}", "\"../WanPipeline\"",
            "\"WanDMDPipeline\"", "\"LTXPipeline\"",
        };
        string raw = rng.Pick(values.Where(v => v != before).ToList());
        root["_class_name"] = "\u0001raw\u0001";
        return new($"_class_name {before} -> {raw}", JsonMutators.Write(root, raw));
    }

    static Mutation ShardFile(byte[] file, Random rng)
    {
        var root = JsonMutators.ParseObject(file);
        var map = (JsonObject)root["weight_map"]!;
        var names = map.Select(p => p.Key).ToList();
        string tensor = rng.Pick(names);
        string current = map[tensor]!.GetValue<string>();
        var files = map.Select(p => p.Value!.GetValue<string>()).Distinct().ToList();
        string[] targets =
        {
            $"../{current}", $"./{current}", $"/tmp/{current}", $"sub/{current}", $"..\\{current}", "missing.safetensors", "",
            current.ToUpperInvariant(), current + "\u0000", "config.json", ".", "..", rng.Pick(files.Where(f => f != current).DefaultIfEmpty("x").ToList()),
        };
        string target = rng.Pick(targets.Where(t => t != current).ToList());
        bool all = rng.Next(4) == 0;
        foreach (var name in all ? names : new List<string> { tensor }) map[name] = target;
        return new($"weight_map {(all ? "every entry" : $"'{tensor}'")}: '{current}' -> {JsonSerializer.Serialize(target)}", JsonMutators.Write(root));
    }

    static Mutation ShardMap(byte[] file, Random rng)
    {
        var root = JsonMutators.ParseObject(file);
        var map = (JsonObject)root["weight_map"]!;
        string tensor = rng.Pick(map.Select(p => p.Key).ToList());
        string first = map.First().Value!.GetValue<string>();
        switch (rng.Next(7))
        {
            case 0:
                map.Remove(tensor);
                return new($"weight_map entry '{tensor}' removed", JsonMutators.Write(root));
            case 1:
                map["unexpected.weight"] = first;
                return new("weight_map lists 'unexpected.weight', which no shard holds", JsonMutators.Write(root));
            case 2:
                map[tensor] = rng.Pick(new JsonNode?[] { null, 1, new JsonArray(first), new JsonObject() });
                return new($"weight_map entry '{tensor}' -> {map[tensor]?.ToJsonString() ?? "null"}", JsonMutators.Write(root));
            case 3:
                root["weight_map"] = rng.Pick(new JsonNode?[] { null, new JsonArray(), "x", new JsonObject() });
                return new($"weight_map -> {root["weight_map"]?.ToJsonString() ?? "null"}", JsonMutators.Write(root));
            case 4:
                root.Remove("weight_map");
                return new("weight_map removed", JsonMutators.Write(root));
            case 5:
                string raw = rng.Pick(new[] { "-1", "0", "1e400", "\"x\"", "99999999999999999999999", "null" });
                root["metadata"] = new JsonObject { ["total_size"] = "\u0001raw\u0001" };
                return new($"metadata.total_size -> {raw}", JsonMutators.Write(root, raw));
            default:
                string renamed = rng.Pick(FuzzRandom.HostileNames);
                var value = map[tensor]!.DeepClone();
                map.Remove(tensor);
                map[renamed] = value;
                return new($"weight_map key '{tensor}' renamed to {JsonSerializer.Serialize(renamed.Length > 40 ? renamed[..10] + "..." : renamed)}", JsonMutators.Write(root));
        }
    }
}
