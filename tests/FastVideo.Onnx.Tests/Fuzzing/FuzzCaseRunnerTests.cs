using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>The case runner's checks, each shown to catch the failure it names with a stand-in for the command.</summary>
[TestFixture, Category("Fuzz")]
public class FuzzCaseRunnerTests
{
    static readonly TimeSpan Quick = TimeSpan.FromSeconds(20);

    static FuzzCase ConvertCase() =>
        Enumerable.Range(0, 100).Select(i => MutationGenerator.Generate(MutationFuzzTests.DefaultSeed, i)).First(c => c.Target.Command == FuzzCommand.Convert);

    static string ScratchOf(string[] args) => Path.GetDirectoryName(args.First(a => a.EndsWith("/" + FuzzTarget.ModelFolder, StringComparison.Ordinal)))!;

    static IEnumerable<string> Kinds(FuzzCaseRunner.Command command, TimeSpan? timeout = null) =>
        FuzzCaseRunner.Run(ConvertCase(), command, timeout ?? Quick).Problems.Select(p => p.Kind);

    [Test]
    public void OneErrorLineAndNothingLeftPasses() =>
        Assert.That(Kinds((_, _, err, _) =>
        {
            err.WriteLine("error: model.safetensors: corrupt header");
            return 1;
        }), Is.Empty);

    [Test]
    public void AnEscapedExceptionIsAnInternalError() =>
        Assert.That(Kinds((_, _, _, _) => throw new InvalidCastException("boom")), Is.EqualTo(new[] { "internal error (InvalidCastException)" }));

    [Test]
    public void AnErrorWithALineBreakIsMultiLine() =>
        Assert.That(Kinds((_, _, err, _) =>
        {
            err.WriteLine("error: tensor 'a\nb' is unexpected");
            return 1;
        }), Is.EqualTo(new[] { FuzzProblem.MultiLine }));

    [Test]
    public void AStackTraceIsCaught() =>
        Assert.That(Kinds((_, _, err, _) =>
        {
            err.WriteLine("error: boom\n   at FastVideo.Onnx.Core.Something()");
            return 1;
        }), Does.Contain(FuzzProblem.StackTrace));

    [Test]
    public void AUsageErrorIsCaught() =>
        Assert.That(Kinds((_, _, err, _) =>
        {
            err.WriteLine("fastvideo-onnx convert: --output is required (see fastvideo-onnx convert --help)");
            return 2;
        }), Is.EqualTo(new[] { FuzzProblem.UsageError }));

    [Test]
    public void APartialFolderLeftBehindIsCaught() =>
        Assert.That(Kinds((args, _, err, _) =>
        {
            Directory.CreateDirectory(Path.Combine(ScratchOf(args), ".out.partial-1234abcd"));
            err.WriteLine("error: disk full");
            return 1;
        }), Is.EqualTo(new[] { FuzzProblem.Leftover }));

    [Test]
    public void ARemovedInputIsCaught() =>
        Assert.That(Kinds((args, _, err, _) =>
        {
            File.Delete(Path.Combine(ScratchOf(args), FuzzTarget.ModelFolder, "model_index.json"));
            err.WriteLine("error: no");
            return 1;
        }), Is.EqualTo(new[] { FuzzProblem.InputChanged }));

    [Test]
    public void SuccessWithoutTheOutputIsIncomplete() =>
        Assert.That(Kinds((_, _, _, _) => 0), Is.EqualTo(new[] { FuzzProblem.IncompleteOutput }));

    [Test]
    public void ACaseThatOutlivesItsTimeoutIsAHang() =>
        Assert.That(Kinds((_, _, err, cancel) =>
        {
            cancel.WaitHandle.WaitOne();
            err.WriteLine("cancelled; nothing was written");
            return 130;
        }, TimeSpan.FromMilliseconds(200)), Is.EqualTo(new[] { FuzzProblem.Hang }));
}
