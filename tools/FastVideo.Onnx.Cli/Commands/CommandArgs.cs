using System.Globalization;
using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Cli.Commands;

/// <summary>A usage error: printed with a pointer to --help, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The arguments of one command: positionals, <c>--name value</c> options and <c>--flag</c> switches, checked against
/// what the command declares so a typo is an error rather than silently ignored.
/// </summary>
public sealed class CommandArgs
{
    readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    readonly Dictionary<string, List<string>> _repeated = new(StringComparer.Ordinal);
    readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    readonly List<string> _positionals = new();

    public string Command { get; }
    public IReadOnlyList<string> Positionals => _positionals;

    public CommandArgs(string command, IEnumerable<string> args, IReadOnlyCollection<string> valueOptions, IReadOnlyCollection<string> flagOptions)
    {
        Command = command;
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            string a = e.Current;
            if (a == "--")
            {
                while (e.MoveNext()) _positionals.Add(e.Current);
                break;
            }
            if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
            {
                _positionals.Add(a);
                continue;
            }
            string name = a[2..], value;
            int eq = name.IndexOf('=');
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
                if (!valueOptions.Contains(name)) throw Unknown(name, valueOptions, flagOptions);
                Set(name, value);
                continue;
            }
            if (flagOptions.Contains(name))
            {
                _flags.Add(name);
                continue;
            }
            if (!valueOptions.Contains(name)) throw Unknown(name, valueOptions, flagOptions);
            if (!e.MoveNext()) throw new UsageException($"--{name} needs a value");
            Set(name, e.Current);
        }
    }

    void Set(string name, string value)
    {
        _values[name] = value;
        if (!_repeated.TryGetValue(name, out var list)) _repeated[name] = list = new List<string>();
        list.Add(value);
    }

    /// <summary>Every value of a repeatable option, in order (<see cref="Value"/> is the last one).</summary>
    public IReadOnlyList<string> All(string name) => _repeated.TryGetValue(name, out var list) ? list : Array.Empty<string>();

    UsageException Unknown(string name, IReadOnlyCollection<string> values, IReadOnlyCollection<string> flags)
    {
        var known = values.Concat(flags).OrderBy(n => n, StringComparer.Ordinal).Select(n => "--" + n);
        return new UsageException($"unknown option --{name} for '{Command}' (known: {string.Join(", ", known)})");
    }

    public bool Flag(string name) => _flags.Contains(name);
    public bool Has(string name) => _values.ContainsKey(name);
    public string? Value(string name) => _values.GetValueOrDefault(name);
    public IReadOnlyDictionary<string, string> Values => _values;

    public string Required(string name) => _values.TryGetValue(name, out var v) ? v : throw new UsageException($"--{name} is required");

    public int? Int(string name)
    {
        if (!_values.TryGetValue(name, out var v)) return null;
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i)
            ? i : throw new InvalidRequestException("--" + name, $"'{v}' is not an integer");
    }

    public long? Long(string name)
    {
        if (!_values.TryGetValue(name, out var v)) return null;
        return long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long i)
            ? i : throw new InvalidRequestException("--" + name, $"'{v}' is not an integer");
    }

    public double? Double(string name)
    {
        if (!_values.TryGetValue(name, out var v)) return null;
        return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)
            ? d : throw new InvalidRequestException("--" + name, $"'{v}' is not a number");
    }

    public string Positional(int index, string what) =>
        index < _positionals.Count ? _positionals[index] : throw new UsageException($"missing {what}");

    public void NoMorePositionals(int expected)
    {
        if (_positionals.Count > expected) throw new UsageException($"unexpected argument '{_positionals[expected]}'");
    }
}
