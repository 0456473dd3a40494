using System.Diagnostics;
using FastVideo.Onnx.Cli;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Safetensors;

namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>
/// Runs one case in-process: builds its scratch folder (unmutated inputs linked, the mutated file written), runs the
/// command through <see cref="CliApp.Run"/> on a worker with a 30 s cancellation and a hard wait, then checks the
/// contract: exit 0 with complete output, or a non-zero exit with exactly one 'error:' line, never an escaped exception,
/// a stack trace or a usage error, and nothing in the scratch folder but the inputs (and, on success, the output).
/// </summary>
public static class FuzzCaseRunner
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // Past the cancellation, how long the case may take to return before it counts as hung for good.
    static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    /// <summary>The command under test: <see cref="CliApp.Run"/> unless a test of the runner itself stands in for it.</summary>
    public delegate int Command(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancel);

    public static FuzzOutcome Run(FuzzCase c, bool keepScratch = false) => Run(c, CliApp.Run, Timeout, keepScratch);

    public static FuzzOutcome Run(FuzzCase c, Command command, TimeSpan timeout, bool keepScratch = false)
    {
        string scratch = Path.Combine(FuzzInputs.CasesFolder, $"{c.Seed}-{c.Index}");
        if (Directory.Exists(scratch)) Directory.Delete(scratch, true);
        var inputs = Prepare(c, scratch);
        var args = c.Arguments(scratch);

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        using var cancel = new CancellationTokenSource(timeout);
        var clock = Stopwatch.StartNew();
        var run = Task.Factory.StartNew(() => command(args, stdout, stderr, cancel.Token), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        bool returned;
        try
        {
            returned = run.Wait(timeout + Grace);
        }
        catch (AggregateException)
        {
            returned = true;
        }
        var elapsed = clock.Elapsed;

        var problems = new List<FuzzProblem>();
        int? code = returned && run.Status == TaskStatus.RanToCompletion ? run.Result : null;
        string output = stdout.ToString(), errors = stderr.ToString();
        if (!returned || elapsed > timeout || code == 130)
            problems.Add(new(FuzzProblem.Hang, returned ? $"returned {code} after {elapsed.TotalSeconds:F1} s" : $"still running after {elapsed.TotalSeconds:F0} s"));
        else if (run.Exception?.InnerException is { } escaped)
            problems.Add(new(FuzzProblem.InternalError(escaped), $"{FirstLine(escaped.Message)} (at {ProductFrame(escaped)})"));
        else
            CheckOutput(c, scratch, code!.Value, output, errors, problems);

        // A case still running may yet write; its folder is left for it (and the run's temporary folder removes it).
        if (returned) CheckScratch(c, scratch, inputs, code == 0 && problems.Count == 0, problems);
        if (returned && !keepScratch) TryDelete(scratch);
        return new FuzzOutcome(c, code, output, errors, elapsed, problems);
    }

    /// <summary>Links the input folder into the scratch folder, writes the mutated file, and returns every input path with its size and time.</summary>
    static Dictionary<string, (long Length, DateTime Written)> Prepare(FuzzCase c, string scratch)
    {
        string model = Path.Combine(scratch, FuzzTarget.ModelFolder);
        string source = FuzzInputs.Folder(c.Target.Input);
        foreach (var dir in Directory.GetDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(model, Path.GetRelativePath(source, dir)));
        Directory.CreateDirectory(model);
        string mutated = Path.Combine(scratch, c.Target.File);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            string dest = Path.Combine(model, Path.GetRelativePath(source, file));
            if (dest != mutated) HardLink.LinkOrCopy(file, dest);
        }
        // Written as a new file, never through a link: the shared originals must stay intact.
        File.WriteAllBytes(mutated, c.Mutation.Content);
        return Entries(scratch).ToDictionary(e => e, e => Stat(Path.Combine(scratch, e)), StringComparer.Ordinal);
    }

    static void CheckOutput(FuzzCase c, string scratch, int code, string stdout, string stderr, List<FuzzProblem> problems)
    {
        string all = stdout + stderr;
        if (all.Contains("   at ", StringComparison.Ordinal)) problems.Add(new(FuzzProblem.StackTrace, FirstLine(stderr)));
        if (all.Contains("internal error", StringComparison.OrdinalIgnoreCase)) problems.Add(new(FuzzProblem.ReportedInternalError, FirstLine(stderr)));
        var lines = stderr.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        var errorLines = lines.Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        if (code == 0)
        {
            if (errorLines.Count > 0) problems.Add(new(FuzzProblem.ErrorOnSuccess, errorLines[0]));
            if (IncompleteOutput(c, scratch) is { } missing) problems.Add(new(FuzzProblem.IncompleteOutput, missing));
            return;
        }
        if (code == 2 && stderr.StartsWith("fastvideo-onnx ", StringComparison.Ordinal))
        {
            problems.Add(new(FuzzProblem.UsageError, FirstLine(stderr)));
            return;
        }
        if (errorLines.Count == 0) problems.Add(new(FuzzProblem.NoErrorLine, $"exit {code}: {FirstLine(stderr)}"));
        else if (errorLines.Count > 1 || lines[^1] != errorLines[0])
        {
            int at = lines.IndexOf(errorLines[0]);
            string next = at + 1 < lines.Count ? lines[at + 1] : lines[^1];
            problems.Add(new(FuzzProblem.MultiLine, $"{Shorten(errorLines[0], 160)} | then {lines.Count - at - 1} more line(s), first: {Shorten(next, 80)}"));
        }
    }

    /// <summary>Null when the successful command left its complete output, else what is missing.</summary>
    static string? IncompleteOutput(FuzzCase c, string scratch)
    {
        string output = Path.Combine(scratch, c.Target.Output);
        try
        {
            switch (c.Target.Command)
            {
                case FuzzCommand.Convert:
                    if (!ConvertedModel.IsConverted(output)) return $"{ConvertedModel.FileName} missing from the output";
                    foreach (var name in ConvertedModel.Load(output).Components.Keys)
                        if (!Directory.Exists(Path.Combine(output, name))) return $"component folder '{name}' missing from the output";
                    return File.Exists(Path.Combine(output, ModelIndex.FileName)) ? null : $"{ModelIndex.FileName} missing from the output";
                case FuzzCommand.Generate:
                    using (var file = SafetensorsFile.Open(output))
                        return file.Tensors.ContainsKey("latents") && file.Tensors.ContainsKey("video") ? null : "the output lacks 'latents' or 'video'";
                default:
                    return null;
            }
        }
        catch (Exception e)
        {
            return $"the output does not load: {FirstLine(e.Message)}";
        }
    }

    static void CheckScratch(FuzzCase c, string scratch, Dictionary<string, (long Length, DateTime Written)> inputs, bool succeeded, List<FuzzProblem> problems)
    {
        string output = c.Target.Output;
        var after = Entries(scratch).ToList();
        var leftovers = after.Where(e => !inputs.ContainsKey(e))
            .Where(e => !succeeded || output.Length == 0 || !(e == output || e.StartsWith(output + "/", StringComparison.Ordinal)))
            .Concat(after.Where(e => e.Contains(".partial-", StringComparison.Ordinal) || e.Contains(".old-", StringComparison.Ordinal)))
            .Distinct().ToList();
        if (leftovers.Count > 0) problems.Add(new(FuzzProblem.Leftover, string.Join(", ", leftovers.Take(5)) + (leftovers.Count > 5 ? $" (+{leftovers.Count - 5})" : "")));
        var changed = inputs.Where(i => !File.Exists(Path.Combine(scratch, i.Key)) && !Directory.Exists(Path.Combine(scratch, i.Key))
                                        || Stat(Path.Combine(scratch, i.Key)) != i.Value).Select(i => i.Key).ToList();
        if (changed.Count > 0) problems.Add(new(FuzzProblem.InputChanged, string.Join(", ", changed.Take(5))));
    }

    static IEnumerable<string> Entries(string scratch) =>
        Directory.EnumerateFileSystemEntries(scratch, "*", SearchOption.AllDirectories).Select(e => Path.GetRelativePath(scratch, e).Replace('\\', '/'));

    static (long, DateTime) Stat(string path) =>
        File.Exists(path) ? (new FileInfo(path).Length, File.GetLastWriteTimeUtc(path)) : (-1, DateTime.MinValue);

    static string FirstLine(string text) => Shorten(text.Split('\n')[0].Trim(), 240);

    static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 3)] + "...";

    /// <summary>The innermost frame in the project's code: where the exception should have become a one-line error.</summary>
    static string ProductFrame(Exception e)
    {
        var frames = new StackTrace(e, false).GetFrames();
        var frame = frames.FirstOrDefault(f => f.GetMethod()?.DeclaringType?.Namespace?.StartsWith("FastVideo.Onnx", StringComparison.Ordinal) == true
                                               && f.GetMethod()?.DeclaringType?.Namespace?.StartsWith("FastVideo.Onnx.Tests", StringComparison.Ordinal) != true);
        var method = frame?.GetMethod() ?? frames.FirstOrDefault()?.GetMethod();
        return method is null ? "unknown" : $"{method.DeclaringType?.Name}.{method.Name}";
    }

    static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
