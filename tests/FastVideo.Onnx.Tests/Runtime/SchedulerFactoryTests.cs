using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Schedulers;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>Building schedulers from scheduler_config.json, and the errors a user sees for configs that cannot be honoured.</summary>
public class SchedulerFactoryTests
{
    static string TinyConfigPath => Path.Combine(Repo.TinyT2V, "scheduler", SchedulerFactory.ConfigFileName);

    /// <summary>The tiny model's scheduler config with one field changed, written to a temporary folder.</summary>
    static string WriteVariant(TempDir dir, Action<JsonObject> change)
    {
        var json = JsonNode.Parse(File.ReadAllText(TinyConfigPath))!.AsObject();
        change(json);
        string path = dir[SchedulerFactory.ConfigFileName];
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    [Test]
    public void RegistryKnowsBothSchedulers() =>
        Assert.That(SchedulerFactory.KnownClassNames, Is.SupersetOf(new[] { "FlowMatchEulerDiscreteScheduler", "UniPCMultistepScheduler" }));

    [Test]
    public void UnknownClassNameListsTheKnownOnes()
    {
        using var dir = Repo.Temp();
        string path = WriteVariant(dir, json => json["_class_name"] = "DDIMScheduler");
        var error = Assert.Throws<FastVideoException>(() => SchedulerFactory.Load(dir.Path))!;
        TestContext.Out.WriteLine(error.Message);
        Assert.That(error.Message, Does.StartWith(path));
        Assert.That(error.Message, Does.Contain("'DDIMScheduler'").And.Contain("UniPCMultistepScheduler").And.Contain("FlowMatchEulerDiscreteScheduler"));
    }

    [TestCase("use_karras_sigmas", "true")]
    [TestCase("use_exponential_sigmas", "true")]
    [TestCase("thresholding", "true")]
    [TestCase("use_dynamic_shifting", "true")]
    [TestCase("use_flow_sigmas", "false")]
    [TestCase("predict_x0", "false")]
    [TestCase("solver_type", "\"dpmsolver++\"")]
    [TestCase("prediction_type", "\"epsilon\"")]
    [TestCase("final_sigmas_type", "\"middle\"")]
    [TestCase("lower_order_final", "false")]
    [TestCase("solver_p", "{\"_class_name\": \"DPMSolverMultistepScheduler\"}")]
    public void UnsupportedUniPCOptionIsRefusedNamingFileAndField(string field, string value)
    {
        using var dir = Repo.Temp();
        string path = WriteVariant(dir, json => json[field] = JsonNode.Parse(value));
        var error = Assert.Throws<ModelFormatException>(() => SchedulerFactory.Load(path))!;
        TestContext.Out.WriteLine(error.Message);
        Assert.That(error.Path, Is.EqualTo(path));
        Assert.That(error.Message, Does.Contain($"field '{field}'"));
        Assert.That(error.Message, Does.Not.Contain('\n'));
    }

    [TestCase("use_karras_sigmas", "true")]
    [TestCase("use_beta_sigmas", "true")]
    [TestCase("time_shift_type", "\"logistic\"")]
    [TestCase("stochastic_sampling", "true")]
    [TestCase("shift", "\"three\"")]
    public void UnsupportedFlowMatchOptionIsRefusedNamingFileAndField(string field, string value)
    {
        using var dir = Repo.Temp();
        string path = dir[SchedulerFactory.ConfigFileName];
        var json = new JsonObject { ["_class_name"] = "FlowMatchEulerDiscreteScheduler", ["shift"] = 3.0, [field] = JsonNode.Parse(value) };
        File.WriteAllText(path, json.ToJsonString());
        var error = Assert.Throws<ModelFormatException>(() => SchedulerFactory.Load(dir.Path))!;
        TestContext.Out.WriteLine(error.Message);
        Assert.That(error.Message, Does.StartWith(path).And.Contain($"field '{field}'"));
    }

    [Test]
    public void MissingClassNameIsReported()
    {
        using var dir = Repo.Temp();
        string path = WriteVariant(dir, json => json.Remove("_class_name"));
        var error = Assert.Throws<ModelFormatException>(() => SchedulerFactory.Load(path))!;
        Assert.That(error.Message, Is.EqualTo($"{path}: field '_class_name' is missing"));
    }

    [TestCase("use_flow_sigmas", "false")]
    [TestCase("prediction_type", "'epsilon'")]
    public void MissingFieldWhoseDiffusersDefaultIsUnsupportedIsReported(string field, string diffusersDefault)
    {
        using var dir = Repo.Temp();
        string path = WriteVariant(dir, json => json.Remove(field));
        var error = Assert.Throws<ModelFormatException>(() => SchedulerFactory.Load(path))!;
        TestContext.Out.WriteLine(error.Message);
        Assert.That(error.Message, Does.StartWith($"{path}: field '{field}' is missing (Diffusers' default is {diffusersDefault})"));
    }

    [Test]
    public void MissingConfigFileIsReported()
    {
        using var dir = Repo.Temp();
        var error = Assert.Throws<ModelFormatException>(() => SchedulerFactory.Load(dir.Path))!;
        Assert.That(error.Message, Does.Contain(SchedulerFactory.ConfigFileName).And.Contain("file not found"));
    }

    [Test]
    public void WrongFieldTypeIsReported()
    {
        using var dir = Repo.Temp();
        string path = WriteVariant(dir, json => json["flow_shift"] = "three");
        var error = Assert.Throws<ModelFormatException>(() => SchedulerFactory.Load(path))!;
        Assert.That(error.Message, Is.EqualTo($"{path}: field 'flow_shift' must be a number"));
    }

    [Test]
    public void InvalidRequestsAreRefused()
    {
        Assert.That(Assert.Throws<InvalidRequestException>(() => SchedulerFactory.Load(TinyConfigPath, new SchedulerOverrides { FlowShift = -1 }))!.Field,
            Is.EqualTo("flow_shift"));
        Assert.That(Assert.Throws<InvalidRequestException>(() => SchedulerFactory.Load(TinyConfigPath, new SchedulerOverrides { NumTrainTimesteps = 0 }))!.Field,
            Is.EqualTo("num_train_timesteps"));
        var scheduler = SchedulerFactory.Load(TinyConfigPath);
        Assert.That(Assert.Throws<InvalidRequestException>(() => scheduler.SetTimesteps(0))!.Field, Is.EqualTo("num_inference_steps"));
        scheduler.SetTimesteps(4);
        Assert.That(Assert.Throws<InvalidRequestException>(() => scheduler.Step(new float[3], 0, new float[4]))!.Field, Is.EqualTo("model_output"));
    }
}
