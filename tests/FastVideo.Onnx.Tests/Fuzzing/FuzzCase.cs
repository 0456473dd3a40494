namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>One generated case: (seed, index) picked a target and a mutation of its file.</summary>
public sealed record FuzzCase(int Seed, int Index, FuzzTarget Target, string MutatorName, Mutation Mutation)
{
    /// <summary>The command line with the scratch folder's paths filled in.</summary>
    public string[] Arguments(string scratch) => Target.Arguments()
        .Select(a => a
            .Replace("{model}", Path.Combine(scratch, FuzzTarget.ModelFolder))
            .Replace("{out}", Path.Combine(scratch, Target.Output))
            .Replace("{latents}", Path.Combine(scratch, FuzzTarget.LatentsFile)))
        .ToArray();

    /// <summary>Everything needed to recognise and replay the case alone.</summary>
    public string Describe() =>
        $"seed {Seed} case {Index}: {Target.Name}, {Target.File}: {MutatorName}: {Mutation.Description}\n" +
        $"    command: fastvideo-onnx {string.Join(" ", Target.Arguments().Select(Quote))}\n" +
        $"    replay:  {MutationFuzzTests.SeedVariable}={Seed} {MutationFuzzTests.CaseVariable}={Index} {MutationFuzzTests.KeepVariable}=1 " +
        "dotnet test FastVideo.Onnx.sln --filter \"FullyQualifiedName~MutationFuzzTests\"";

    static string Quote(string arg) => arg.Contains(' ') ? $"\"{arg}\"" : arg;
}
