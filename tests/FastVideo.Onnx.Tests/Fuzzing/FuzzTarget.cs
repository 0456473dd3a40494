namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>
/// One file to mutate and the command that reads it. <see cref="File"/> is relative to the case's scratch folder:
/// <c>model/...</c> inside the input folder, or <c>latents.safetensors</c> beside it (generate's --latents).
/// <see cref="Components"/> limits convert to the component the file belongs to, so a case converts only what it touched.
/// </summary>
public sealed record FuzzTarget(string Name, FuzzInput Input, string File, FuzzCommand Command, string? Components, int Weight, FileKind[] Kinds)
{
    public const string ModelFolder = "model";
    public const string LatentsFile = "latents.safetensors";
    public const string ConvertOutput = "out";
    public const string GenerateOutput = "out.safetensors";

    static readonly FileKind[] Weights = { FileKind.Safetensors };
    static readonly FileKind[] Config = { FileKind.Json };
    static readonly FileKind[] Index = { FileKind.Json, FileKind.ModelIndex };
    static readonly FileKind[] Shards = { FileKind.Json, FileKind.ShardIndex };
    static readonly FileKind[] Latents = { FileKind.Safetensors, FileKind.Latents };

    const string TransformerWeights = "model/transformer/diffusion_pytorch_model.safetensors";
    const string ShardIndex = "model/transformer/diffusion_pytorch_model.safetensors.index.json";

    /// <summary>
    /// Every target with its share of the cases: weights and configs through convert most, then generate's --latents,
    /// then inspect (headers only) and the runtime's own readers (scheduler config, tokenizer files).
    /// </summary>
    public static IReadOnlyList<FuzzTarget> All { get; } = new FuzzTarget[]
    {
        new("convert t2v transformer weights", FuzzInput.TextToVideo, TransformerWeights, FuzzCommand.Convert, "transformer", 12, Weights),
        new("convert t2v text encoder weights", FuzzInput.TextToVideo, "model/text_encoder/model.safetensors", FuzzCommand.Convert, "text_encoder", 6, Weights),
        new("convert t2v vae weights", FuzzInput.TextToVideo, "model/vae/diffusion_pytorch_model.safetensors", FuzzCommand.Convert, "vae", 5, Weights),
        new("convert i2v image encoder weights", FuzzInput.ImageToVideo, "model/image_encoder/model.safetensors", FuzzCommand.Convert, "image_encoder", 5, Weights),
        new("convert i2v transformer weights", FuzzInput.ImageToVideo, TransformerWeights, FuzzCommand.Convert, "transformer", 2, Weights),
        new("convert t2v transformer config", FuzzInput.TextToVideo, "model/transformer/config.json", FuzzCommand.Convert, "transformer", 6, Config),
        new("convert t2v vae config", FuzzInput.TextToVideo, "model/vae/config.json", FuzzCommand.Convert, "vae", 5, Config),
        new("convert t2v text encoder config", FuzzInput.TextToVideo, "model/text_encoder/config.json", FuzzCommand.Convert, "text_encoder", 5, Config),
        new("convert i2v image encoder config", FuzzInput.ImageToVideo, "model/image_encoder/config.json", FuzzCommand.Convert, "image_encoder", 4, Config),
        new("convert i2v transformer config", FuzzInput.ImageToVideo, "model/transformer/config.json", FuzzCommand.Convert, "transformer", 2, Config),
        new("convert t2v scheduler config", FuzzInput.TextToVideo, "model/scheduler/scheduler_config.json", FuzzCommand.Convert, "scheduler", 2, Config),
        new("convert t2v model_index", FuzzInput.TextToVideo, "model/model_index.json", FuzzCommand.Convert, null, 6, Index),
        new("convert i2v model_index", FuzzInput.ImageToVideo, "model/model_index.json", FuzzCommand.Convert, null, 2, Index),
        new("convert sharded index", FuzzInput.ShardedTextToVideo, ShardIndex, FuzzCommand.Convert, "transformer", 5, Shards),
        new("convert sharded shard", FuzzInput.ShardedTextToVideo, "model/transformer/diffusion_pytorch_model-00001-of-00002.safetensors", FuzzCommand.Convert, "transformer", 3, Weights),
        new("inspect t2v transformer weights", FuzzInput.TextToVideo, TransformerWeights, FuzzCommand.Inspect, null, 3, Weights),
        new("inspect t2v vae weights", FuzzInput.TextToVideo, "model/vae/diffusion_pytorch_model.safetensors", FuzzCommand.Inspect, null, 2, Weights),
        new("inspect t2v text encoder weights", FuzzInput.TextToVideo, "model/text_encoder/model.safetensors", FuzzCommand.Inspect, null, 2, Weights),
        new("inspect t2v model_index", FuzzInput.TextToVideo, "model/model_index.json", FuzzCommand.Inspect, null, 3, Index),
        new("inspect t2v transformer config", FuzzInput.TextToVideo, "model/transformer/config.json", FuzzCommand.Inspect, null, 2, Config),
        new("inspect sharded index", FuzzInput.ShardedTextToVideo, ShardIndex, FuzzCommand.Inspect, null, 2, Shards),
        new("generate --latents", FuzzInput.ConvertedTextToVideo, LatentsFile, FuzzCommand.Generate, null, 10, Latents),
        new("generate scheduler config", FuzzInput.ConvertedTextToVideo, "model/scheduler/scheduler_config.json", FuzzCommand.Generate, null, 3, Config),
        new("generate tokenizer config", FuzzInput.ConvertedTextToVideo, "model/tokenizer/tokenizer_config.json", FuzzCommand.Generate, null, 1, Config),
        new("generate tokenizer.json", FuzzInput.ConvertedTextToVideo, "model/tokenizer/tokenizer.json", FuzzCommand.Generate, null, 1, new[] { FileKind.Json, FileKind.Bytes }),
        new("generate spiece.model", FuzzInput.ConvertedTextToVideo, "model/tokenizer/spiece.model", FuzzCommand.Generate, null, 1, new[] { FileKind.Bytes }),
    };

    /// <summary>The command line, with {model}, {out} and {latents} standing for paths in the scratch folder.</summary>
    public string[] Arguments() => Command switch
    {
        FuzzCommand.Convert => Components is null
            ? new[] { "convert", "{model}", "--output", "{out}" }
            : new[] { "convert", "{model}", "--output", "{out}", "--components", Components },
        FuzzCommand.Inspect => new[] { "inspect", "{model}" },
        FuzzCommand.Generate => new[]
        {
            "generate", "--model", "{model}", "--prompt", "a fox in the snow", "--height", "64", "--width", "64", "--num-frames", "9",
            "--steps", "1", "--device", "cpu", "--threads", "1", "--output", "{out}",
        }.Concat(File == LatentsFile ? new[] { "--latents", "{latents}" } : new[] { "--seed", "7" }).ToArray(),
        _ => throw new InvalidOperationException(Command.ToString()),
    };

    /// <summary>What a successful run leaves in the scratch folder besides the inputs.</summary>
    public string Output => Command switch
    {
        FuzzCommand.Convert => ConvertOutput,
        FuzzCommand.Generate => GenerateOutput,
        _ => "",
    };
}
