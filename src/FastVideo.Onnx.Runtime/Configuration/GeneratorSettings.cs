using System.Text;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Pipelines;
using Microsoft.Extensions.Configuration;

namespace FastVideo.Onnx.Runtime.Configuration;

/// <summary>
/// The layered configuration of a generator: the model's preset, then a user JSON file, then environment variables
/// (prefix <c>FASTVIDEO_</c>, sections joined by a double underscore: <c>FASTVIDEO_Sampling__Steps=20</c>,
/// <c>FASTVIDEO_Runtime__Device=cuda</c>), then command-line values (keys like <c>Sampling:Steps</c>), each layer
/// overriding the ones before.
/// </summary>
public sealed record GeneratorSettings(SamplingDefaults Sampling, RuntimeOptions Runtime, string? PresetName)
{
    public const string EnvironmentPrefix = "FASTVIDEO_";

    public static GeneratorSettings Build(ModelPreset? preset, string? userJsonPath, IReadOnlyDictionary<string, string?>? commandLine,
        bool includeEnvironment = true)
    {
        var builder = new ConfigurationBuilder();
        if (preset is not null) builder.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(preset.Json)));
        if (userJsonPath is not null)
        {
            if (!File.Exists(userJsonPath)) throw new InvalidRequestException("Config", $"{userJsonPath} does not exist");
            builder.AddJsonFile(Path.GetFullPath(userJsonPath), optional: false);
        }
        if (includeEnvironment) builder.AddEnvironmentVariables(EnvironmentPrefix);
        if (commandLine is not null) builder.AddInMemoryCollection(commandLine);
        IConfiguration config;
        try
        {
            config = builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException)
        {
            // The provider's message only says the file failed to load; the JSON parser's (innermost) one says where and why.
            throw new InvalidRequestException("Config", $"{userJsonPath}: {e.GetBaseException().Message.Split('\n')[0]}");
        }
        try
        {
            var sampling = config.GetSection("Sampling").Get<SamplingDefaults>() ?? new SamplingDefaults();
            var runtime = config.GetSection("Runtime").Get<RuntimeOptions>() ?? new RuntimeOptions();
            return new GeneratorSettings(sampling, runtime, preset?.Name);
        }
        catch (InvalidOperationException e)
        {
            // The binder's own message names the key ("... value 'x' at 'Sampling:Steps' to type 'System.Int32'"); the inner one does not.
            throw new InvalidRequestException("configuration", e.Message.Split('\n')[0]);
        }
    }
}
