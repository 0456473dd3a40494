using System.Text;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Server.Api;
using Microsoft.AspNetCore.Http;

namespace FastVideo.Onnx.Server.Tests;

/// <summary>
/// The family options of a create request, checked against what the served model's pipeline takes: Wan2.2 A14B's
/// guidance_scale_2, LTX-Video's frame_rate, decode_timestep, decode_noise_scale and guidance_rescale. A model that
/// would not use one refuses it, naming the field; a model that takes it gets it in the job and in the library request.
/// </summary>
public class RequestBuilderTests
{
    static readonly LatentLayout Wan = new(16, 4, 8);

    static ServedModel Model(string name, string pipeline, RequestRules rules, SamplingDefaults? defaults = null) =>
        new(name, "unused", pipeline, defaults ?? new SamplingDefaults { Height = 64, Width = 64, NumFrames = 9 }, rules, 0);

    static readonly ServedModel OneExpert = Model("wan", "WanPipeline", new RequestRules(Wan, 16, TakesImage: false));
    static readonly ServedModel TwoExperts = Model("a14b", "WanPipeline", new RequestRules(Wan, 16, TakesImage: false, TakesSecondGuidanceScale: true));
    static readonly ServedModel Ltx = Model("ltx", "LTXPipeline", new RequestRules(new LatentLayout(128, 8, 32), 32, TakesImage: false)
    {
        FamilyOptions = new[] { nameof(GenerationRequest.FrameRate), nameof(GenerationRequest.DecodeTimestep), nameof(GenerationRequest.DecodeNoiseScale), nameof(GenerationRequest.GuidanceRescale) },
    }, new SamplingDefaults { Height = 64, Width = 64, NumFrames = 9, DecodeTimestep = 0.03 });

    static async Task<VideoRequestBuilder.Built> Build(ServedModel model, string json)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var options = new ServerOptions();
        var fields = await CreateVideoFields.ReadAsync(context.Request, options, CancellationToken.None);
        return new VideoRequestBuilder(new[] { model }, options).Build(fields);
    }

    [Test]
    public async Task A_two_expert_model_takes_guidance_scale_2_into_the_library_request()
    {
        var built = await Build(TwoExperts, """{"prompt": "x", "guidance_scale": 4, "guidance_scale_2": 3}""");
        Assert.That(built.Spec.GuidanceScale2, Is.EqualTo(3));
        Assert.That(VideoRequestBuilder.ToRequest(built.Spec, null).GuidanceScale2, Is.EqualTo(3));
        var job = new FastVideo.Onnx.Server.Jobs.VideoJob { Id = "video_1", Owner = "o", Model = "a14b", Status = "completed", Spec = built.Spec };
        Assert.That(VideoObject.Of(job, TwoExperts)["guidance_scale_2"], Is.EqualTo(3.0), "the video object shows it");
        Assert.That(VideoObject.Of(job with { Spec = built.Spec with { GuidanceScale2 = null } }, TwoExperts).ContainsKey("guidance_scale_2"), Is.False);
    }

    [Test]
    public void A_one_expert_model_refuses_guidance_scale_2()
    {
        var e = Assert.ThrowsAsync<ApiException>(() => Build(OneExpert, """{"prompt": "x", "guidance_scale_2": 3}"""));
        Assert.That((e!.Status, e.Param, e.Code), Is.EqualTo((400, "guidance_scale_2", "unsupported_parameter")));
        Assert.That(e.Message, Does.Contain("has one transformer"));
    }

    [Test]
    public async Task An_ltx_model_takes_its_options_into_the_library_request()
    {
        var built = await Build(Ltx, """{"prompt": "x", "frame_rate": 24, "decode_timestep": 0.05, "decode_noise_scale": 0.025, "guidance_rescale": 0.7}""");
        var request = VideoRequestBuilder.ToRequest(built.Spec, null);
        Assert.That((request.FrameRate, request.DecodeTimestep, request.DecodeNoiseScale, request.GuidanceRescale), Is.EqualTo(((double?)24, (double?)0.05, (double?)0.025, (double?)0.7)));
        var plain = VideoRequestBuilder.ToRequest((await Build(Ltx, """{"prompt": "x"}""")).Spec, null);
        Assert.That((plain.FrameRate, plain.DecodeTimestep), Is.EqualTo(((double?)null, (double?)null)), "unset options come from the preset when the job runs");
    }

    [TestCase("frame_rate", "24")]
    [TestCase("decode_timestep", "0.05")]
    [TestCase("decode_noise_scale", "0.025")]
    [TestCase("guidance_rescale", "0.7")]
    public void A_wan_model_refuses_ltx_options_naming_the_field(string field, string value)
    {
        var e = Assert.ThrowsAsync<ApiException>(() => Build(OneExpert, $$"""{"prompt": "x", "{{field}}": {{value}}}"""));
        Assert.That((e!.Status, e.Param, e.Code), Is.EqualTo((400, field, "unsupported_parameter")));
    }

    [TestCase("""{"prompt": "x", "frame_rate": 0}""", "frame_rate")]
    [TestCase("""{"prompt": "x", "decode_noise_scale": 2}""", "decode_noise_scale")]
    [TestCase("""{"prompt": "x", "guidance_rescale": "much"}""", "guidance_rescale")]
    public void Out_of_range_ltx_options_are_refused_naming_the_field(string json, string field)
    {
        var e = Assert.ThrowsAsync<ApiException>(() => Build(Ltx, json));
        Assert.That((e!.Status, e.Param), Is.EqualTo((400, field)));
    }
}
