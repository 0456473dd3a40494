using FastVideo.Onnx.Core.Contracts.Ltx;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Components.Umt5;
using FastVideo.Onnx.Runtime.Components.Wan;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Tensors;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Cli.Benchmarks;

/// <summary>One comparison of a device result with the Diffusers reference.</summary>
public sealed record PrecisionResult(string Precision, string What, double Cosine, double MaxAbs, bool Passed);

/// <summary>
/// With <paramref name="fixtures"/> (tests/fixtures/wan-tiny), converts the tiny text-to-video model at each requested precision, runs its components and the whole pipeline on
/// the chosen device, and compares them with the fixtures' Diffusers outputs (fp32, CPU): cosine similarity at least
/// 0.999 per tensor, max abs error reported beside it. With <paramref name="fastWanFixtures"/> (tests/fixtures/fastwan-tiny)
/// it does the same for the tiny FastWan model: its VSA transformer at two sparsities and the DMD pipeline (each step's
/// x0, the final latents, the video) against the fp32 references of FastVideo's code. With <paramref name="ltxFixtures"/>
/// (tests/fixtures/ltx-tiny) the tiny LTX-Video pipeline (T5 encoder, LTX transformer, timestep-conditioned VAE): each
/// step's packed latents, the final latents and the video against Diffusers' LTXPipeline. With
/// <paramref name="wan22Fixtures"/> (tests/fixtures/wan22-tiny) the tiny Wan2.2 TI2V model (per-token timesteps, the 16x
/// VAE's latents): the text-to-video run's final latents against Diffusers' WanPipeline. Used on the GPU machine to
/// validate fp16/bf16 graphs and kernels, which the CPU provider cannot run.
/// </summary>
public sealed class PrecisionCheck(string modelSource, string? fixtures, string? fastWanFixtures, string? ltxFixtures, string? wan22Fixtures, string work,
    RuntimeOptions runtime, TextWriter log)
{
    public const double MinimumCosine = 0.999;

    /// <summary>The Diffusers-layout FastWan pipeline inside a fastwan-tiny fixtures folder.</summary>
    public const string FastWanModelFolder = "fastwan-tiny";

    /// <summary>The Diffusers-layout LTX-Video pipeline inside an ltx-tiny fixtures folder.</summary>
    public const string LtxModelFolder = "ltx-tiny";

    /// <summary>The Diffusers-layout Wan2.2 TI2V pipeline inside a wan22-tiny fixtures folder.</summary>
    public const string Wan22ModelFolder = "wan22-ti2v-tiny";

    /// <summary>The fastwan-tiny transformer references: timestep, VSA sparsity, reference tensor.</summary>
    static readonly (int Timestep, double Sparsity, string Reference)[] VsaCalls =
    {
        (1000, 0, "vsa_out_t1000_s0"),
        (757, 0.75, "vsa_out_t757_s75"),
    };

    readonly Dictionary<string, Dictionary<string, (float[] Data, long[] Shape)>> _references = new(StringComparer.Ordinal);

    (float[] Data, long[] Shape) Ref(string name) => Ref(fixtures!, name);

    (float[] Data, long[] Shape) Ref(string folder, string name)
    {
        if (!_references.TryGetValue(folder, out var tensors))
        {
            using var file = SafetensorsFile.Open(Path.Combine(folder, "reference.safetensors"));
            _references[folder] = tensors = file.Tensors.Where(t => t.Value.DType == DType.Float32)
                .ToDictionary(t => t.Key, t => (file.ReadSingle(t.Value), t.Value.Shape));
        }
        if (!tensors.TryGetValue(name, out var tensor))
            throw new ModelFormatException(Path.Combine(folder, "reference.safetensors"), $"no float32 tensor '{name}'");
        return tensor;
    }

    public IReadOnlyList<PrecisionResult> Run(IReadOnlyList<DType> precisions)
    {
        var results = new List<PrecisionResult>();
        foreach (var precision in precisions)
        {
            if (fixtures is not null) RunWan(precision, fixtures, results);
            if (fastWanFixtures is not null) RunFastWan(precision, fastWanFixtures, results);
            if (ltxFixtures is not null) RunLtx(precision, ltxFixtures, results);
            if (wan22Fixtures is not null) RunWan22(precision, wan22Fixtures, results);
        }
        return results;
    }

    void RunWan(DType precision, string folder, List<PrecisionResult> results)
    {
        var (settings, converted) = Prepare(folder, modelSource, "tiny", precision);
        string p = precision.ShortName();
        using var device = ExecutionDevice.Create(runtime);

        using (var transformer = WanTransformerRunner.Open(new ComponentRequest(converted, "transformer", device)))
        {
            var lat = Ref("latents_init");
            var ctx = Ref("prompt_embeds");
            var hidden = device.Upload(lat.Data, lat.Shape);
            var text = device.Upload(ctx.Data, ctx.Shape);
            var output = device.Pool.Rent(TensorElementType.Float, lat.Shape);
            transformer.Run(hidden, new[] { 999f }, text, null, output);
            results.Add(Compare(p, $"transformer t=999 ({transformer.GraphFile})", device.Math.Download(output), Ref("transformer_out_t999").Data));
        }
        using (var textEncoder = Umt5TextEncoderRunner.Open(new ComponentRequest(converted, "text_encoder", device)))
        {
            int maxLength = settings.GetProperty("max_sequence_length").GetInt32();
            var embeds = textEncoder.Encode(settings.GetProperty("prompt").GetString()!, maxLength);
            results.Add(Compare(p, "text encoder (prompt)", embeds.Data, Ref("prompt_embeds").Data));
        }
        using (var vae = WanVaeRunner.Open(new ComponentRequest(converted, "vae", device) { Notice = log.WriteLine, WithEncoder = true }))
        {
            var final = Ref("pipeline_final_latents");
            var video = vae.Decode(new HostTensor(final.Data, final.Shape));
            results.Add(Compare(p, $"VAE decode ({vae.GraphFiles[1]})", video.Data, Ref("vae_decode_out").Data));
            var input = Ref("vae_encode_in");
            var mean = vae.EncodeMean(new HostTensor(input.Data, input.Shape));
            results.Add(Compare(p, $"VAE encode mean ({vae.GraphFiles[3]})", mean.Data, Ref("vae_encode_mean").Data));
        }
        device.Dispose();
        using (var generator = VideoGenerator.FromPretrained(converted, new GeneratorOptions { Runtime = runtime }))
        {
            var init = Ref("latents_init");
            var result = generator.Generate(ReferenceRequest(settings) with { Latents = new HostTensor(init.Data, init.Shape) });
            results.Add(Compare(p, "pipeline final latents", result.Latents.Data, Ref("pipeline_final_latents").Data));
            results.Add(Compare(p, "pipeline video", result.Video!.Tensor.Data, Ref("pipeline_video").Data));
        }
    }

    void RunFastWan(DType precision, string folder, List<PrecisionResult> results)
    {
        var (settings, converted) = Prepare(folder, Path.Combine(folder, FastWanModelFolder), "fastwan-tiny", precision);
        string p = precision.ShortName();
        using (var device = ExecutionDevice.Create(runtime))
        using (var transformer = WanTransformerRunner.Open(new ComponentRequest(converted, "transformer", device)))
        {
            if (!transformer.UsesVsa)
                throw new ModelFormatException(Path.Combine(converted, "transformer"), "the FastWan transformer graph has no VSA sparsity input");
            var lat = Ref(folder, "dmd_latents_init");
            var ctx = Ref(folder, "prompt_embeds");
            foreach (var (timestep, sparsity, reference) in VsaCalls)
            {
                var hidden = device.Upload(lat.Data, lat.Shape);
                var text = device.Upload(ctx.Data, ctx.Shape);
                var output = device.Pool.Rent(TensorElementType.Float, lat.Shape);
                try
                {
                    transformer.Run(hidden, new float[] { timestep }, text, null, output, sparsity);
                    results.Add(Compare(p, $"FastWan VSA t={timestep} s={sparsity:0.##} ({transformer.GraphFile})", device.Math.Download(output),
                        Ref(folder, reference).Data));
                }
                finally
                {
                    device.Pool.Return(output);
                    device.Pool.Return(text);
                    device.Pool.Return(hidden);
                }
            }
        }
        using (var generator = VideoGenerator.FromPretrained(converted, new GeneratorOptions { Runtime = runtime }))
        {
            var steps = new Dictionary<int, HostTensor>();
            // DMD is unguided: the reference's negative prompt was not used (the pipeline would only note it as ignored).
            var result = generator.Generate(ReferenceRequest(settings) with
            {
                NegativePrompt = null,
                DmdSteps = settings.GetProperty("dmd_denoising_steps").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                Seed = settings.GetProperty("noise_seed").GetInt64(),
                VsaSparsity = settings.GetProperty("vsa_sparsity").GetDouble(),
            }, stepEnd: (i, x0) => steps[i] = x0);
            for (int i = 0; i < steps.Count; i++)
                results.Add(Compare(p, $"FastWan DMD step {i} x0", steps[i].Data, Ref(folder, $"dmd_step{i}_x0").Data));
            results.Add(Compare(p, "FastWan DMD final latents", result.Latents.Data, Ref(folder, "dmd_final_latents").Data));
            results.Add(Compare(p, "FastWan DMD video", result.Video!.Tensor.Data, Ref(folder, "dmd_video").Data));
        }
    }

    void RunLtx(DType precision, string folder, List<PrecisionResult> results)
    {
        var (settings, converted) = Prepare(folder, Path.Combine(folder, LtxModelFolder), "ltx-tiny", precision);
        string p = precision.ShortName();
        using var generator = VideoGenerator.FromPretrained(converted, new GeneratorOptions { Runtime = runtime });
        var init = Ref(folder, "latents_init");
        var steps = new Dictionary<int, HostTensor>();
        // The reference run: latents_init as the initial latents, the decode noise from its own generator's seed.
        var result = generator.Generate(ReferenceRequest(settings) with
        {
            FrameRate = settings.GetProperty("frame_rate").GetDouble(),
            DecodeTimestep = settings.GetProperty("decode_timestep").GetDouble(),
            DecodeNoiseScale = settings.GetProperty("decode_noise_scale").GetDouble(),
            Latents = new HostTensor(init.Data, init.Shape),
            Seed = settings.GetProperty("generator_seed_for_decode_noise").GetInt64(),
        }, stepEnd: (i, latents) => steps[i] = latents);
        for (int i = 0; i < steps.Count; i++)
            results.Add(Compare(p, $"LTX step {i} latents", steps[i].Data, Ref(folder, $"step{i}_latents").Data));
        var s = result.Latents.Shape;
        var packed = LtxLatentPacking.Pack(result.Latents.Data, (int)s[0], (int)s[1], (int)s[2], (int)s[3], (int)s[4]);
        results.Add(Compare(p, "LTX final latents", packed, Ref(folder, "final_latents_packed").Data));
        results.Add(Compare(p, "LTX video", result.Video!.Tensor.Data, Ref(folder, "video").Data));
    }

    void RunWan22(DType precision, string folder, List<PrecisionResult> results)
    {
        var (settings, converted) = Prepare(folder, Path.Combine(folder, Wan22ModelFolder), "wan22-ti2v-tiny", precision);
        string p = precision.ShortName();
        using var generator = VideoGenerator.FromPretrained(converted, new GeneratorOptions { Runtime = runtime });
        var init = Ref(folder, "ti2v_latents_init");
        // The reference's TI2V text-to-video run: its own step count and guidance scale, latents only.
        var result = generator.Generate(ReferenceRequest(settings) with
        {
            Steps = settings.GetProperty("steps").GetInt32(),
            GuidanceScale = settings.GetProperty("ti2v_guidance_scale").GetDouble(),
            Latents = new HostTensor(init.Data, init.Shape),
            LatentsOnly = true,
        });
        results.Add(Compare(p, "Wan2.2 TI2V final latents", result.Latents.Data, Ref(folder, "ti2v_t2v_final_latents").Data));
    }

    /// <summary>A fixtures folder's reference settings, and its model converted at <paramref name="precision"/> into the work folder.</summary>
    (System.Text.Json.JsonElement Settings, string Converted) Prepare(string fixtures, string model, string name, DType precision)
    {
        var settings = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(fixtures, "reference.json"))).RootElement;
        string converted = Path.Combine(work, $"{name}-{precision.ShortName()}");
        new ModelConverter().Convert(new ConversionRequest(model, converted) { Force = true, Precision = precision });
        return (settings, converted);
    }

    /// <summary>
    /// The request of a fixture's reference run from its reference.json: prompt, size, frames and text length, and the
    /// negative prompt, steps and guidance scale where the run had them (a DMD run has none).
    /// </summary>
    static GenerationRequest ReferenceRequest(System.Text.Json.JsonElement settings)
    {
        System.Text.Json.JsonElement? Optional(string name) =>
            settings.TryGetProperty(name, out var v) && v.ValueKind != System.Text.Json.JsonValueKind.Null ? v : null;
        return new GenerationRequest
        {
            Prompt = settings.GetProperty("prompt").GetString()!,
            NegativePrompt = Optional("negative_prompt")?.GetString(),
            Height = settings.GetProperty("height").GetInt32(),
            Width = settings.GetProperty("width").GetInt32(),
            NumFrames = settings.GetProperty("num_frames").GetInt32(),
            Steps = Optional("num_inference_steps")?.GetInt32(),
            GuidanceScale = Optional("guidance_scale")?.GetDouble(),
            MaxSequenceLength = settings.GetProperty("max_sequence_length").GetInt32(),
        };
    }

    PrecisionResult Compare(string precision, string what, float[] actual, float[] expected)
    {
        if (actual.Length != expected.Length)
        {
            log.WriteLine($"{precision,-5} {what,-42} {actual.Length} values, the reference has {expected.Length}  FAIL");
            return new PrecisionResult(precision, what, 0, double.PositiveInfinity, false);
        }
        double dot = 0, na = 0, nb = 0, max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            dot += (double)actual[i] * expected[i];
            na += (double)actual[i] * actual[i];
            nb += (double)expected[i] * expected[i];
            max = Math.Max(max, Math.Abs((double)actual[i] - expected[i]));
        }
        double cosine = dot / Math.Sqrt(na * nb);
        if (double.IsNaN(cosine)) cosine = 0;
        var r = new PrecisionResult(precision, what, cosine, max, cosine >= MinimumCosine);
        log.WriteLine($"{precision,-5} {what,-42} cosine {cosine:F6}  max abs {max:E2}  {(r.Passed ? "ok" : "FAIL")}");
        return r;
    }
}
