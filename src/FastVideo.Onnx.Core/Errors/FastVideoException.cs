namespace FastVideo.Onnx.Core.Errors;

/// <summary>
/// An error a user can act on: the message is one line that names the file, field or option at fault and
/// the problem. Command-line front ends print <see cref="Exception.Message"/> alone and exit non-zero.
/// </summary>
public class FastVideoException : Exception
{
    /// <summary>Creates the error with its one-line message.</summary>
    public FastVideoException(string message) : base(message) { }
    /// <summary>Creates the error with its one-line message and the exception that caused it.</summary>
    public FastVideoException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The first line of <paramref name="text"/>, trimmed: how another library's multi-line message is quoted in a one-line error.</summary>
    public static string FirstLine(string text) => text.Split('\n')[0].Trim();

    /// <summary>
    /// <paramref name="text"/> with control characters written as escapes (<c>\n</c>, <c>\u0001</c>): a message that
    /// quotes a name read from a file (a tensor or class name holding a line break) still prints as one line.
    /// </summary>
    public static string OneLine(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (char c in text)
            sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        return sb.ToString();
    }
}

/// <summary>A file of a model folder is missing, truncated or inconsistent.</summary>
public sealed class ModelFormatException : FastVideoException
{
    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }

    /// <summary>Creates the error "PATH: PROBLEM".</summary>
    public ModelFormatException(string path, string problem) : base($"{path}: {problem}") => Path = path;
    /// <summary>Creates the error "PATH: PROBLEM" with the exception that caused it.</summary>
    public ModelFormatException(string path, string problem, Exception inner) : base($"{path}: {problem}", inner) => Path = path;
}

/// <summary>A request or option is out of range or contradicts another one.</summary>
public sealed class InvalidRequestException : FastVideoException
{
    /// <summary>The request property or setting at fault (<c>Height</c>, <c>Runtime:Device</c>, ...).</summary>
    public string Field { get; }

    /// <summary>Creates the error "FIELD: PROBLEM".</summary>
    public InvalidRequestException(string field, string problem) : base($"{field}: {problem}") => Field = field;
}
