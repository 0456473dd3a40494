using FastVideo.Onnx.Cli;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>Runs fastvideo-onnx in-process and captures its exit code and output.</summary>
public static class Cli
{
    public sealed record Result(int Code, string Out, string Err)
    {
        public override string ToString() => $"exit {Code}\nstdout:\n{Out}\nstderr:\n{Err}";
    }

    public static Result Run(params string[] args) => Run(CancellationToken.None, args);

    public static Result Run(CancellationToken cancel, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr, cancel);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>Copies of the tiny models that a test may damage.</summary>
public static class ModelCopy
{
    public static string Of(string modelFolder, TempDir dir, string name = "model")
    {
        string target = dir[name];
        foreach (var file in Directory.GetFiles(modelFolder, "*", SearchOption.AllDirectories))
        {
            string dest = Path.Combine(target, Path.GetRelativePath(modelFolder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest);
        }
        return target;
    }

    /// <summary>Edits a JSON file's text (configs) with a string replacement that must apply.</summary>
    public static void EditText(string path, string from, string to)
    {
        string text = File.ReadAllText(path);
        if (!text.Contains(from)) throw new InvalidOperationException($"'{from}' not in {path}");
        File.WriteAllText(path, text.Replace(from, to));
    }
}
