using System.Text.Json;
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

    static readonly Lazy<Dictionary<string, RefTensor>> All = new(() => RefTensor.ReadAll(Folder));

    static readonly Lazy<JsonElement> Settings = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "reference.json"))).RootElement);

    public static RefTensor Get(string name) => All.Value[name];
    public static long[] Int64(string name) => Get(name).AsInt64;

    public static JsonElement Setting(string name) => Settings.Value.GetProperty(name);

    public static int MaxSequenceLength => Setting("max_sequence_length").GetInt32();

    /// <summary>The request the reference run made: its settings, latents_init as the initial latents, and the seed of its decode-noise generator.</summary>
    public static FastVideo.Onnx.Runtime.Pipelines.GenerationRequest Request()
    {
        var init = Get("latents_init");
        return new FastVideo.Onnx.Runtime.Pipelines.GenerationRequest
        {
            Prompt = Setting("prompt").GetString()!,
            NegativePrompt = Setting("negative_prompt").GetString()!,
            Height = Setting("height").GetInt32(),
            Width = Setting("width").GetInt32(),
            NumFrames = Setting("num_frames").GetInt32(),
            Steps = Setting("num_inference_steps").GetInt32(),
            GuidanceScale = Setting("guidance_scale").GetDouble(),
            MaxSequenceLength = MaxSequenceLength,
            FrameRate = Setting("frame_rate").GetDouble(),
            DecodeTimestep = Setting("decode_timestep").GetDouble(),
            DecodeNoiseScale = Setting("decode_noise_scale").GetDouble(),
            Latents = new FastVideo.Onnx.Runtime.Tensors.HostTensor(init.Data, init.Shape),
            Seed = Setting("generator_seed_for_decode_noise").GetInt64(),
        };
    }
}
