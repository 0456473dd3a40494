using FastVideo.Onnx.Core.Errors;
using SharpFuzz;

namespace FastVideo.Onnx.Fuzz;

/// <summary>
/// Entry point of the fuzzing harness: <c>FastVideo.Onnx.Fuzz TARGET</c> runs one target under libFuzzer;
/// <c>FastVideo.Onnx.Fuzz TARGET FILE...</c> replays inputs once each (a crash found by the fuzzer, or a corpus).
/// A target may end in the project's own <see cref="FastVideoException"/> (the input was refused with a message);
/// any other exception escapes and is a finding.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
        {
            Console.Error.WriteLine($"usage: FastVideo.Onnx.Fuzz TARGET [FILE...]   (targets: {string.Join(", ", FuzzTargets.All.Keys)})");
            return 2;
        }
        using var scratch = new ScratchFolder();
        void RunOne(ReadOnlySpan<byte> input)
        {
            try
            {
                target(scratch, input);
            }
            catch (FastVideoException e) when (IsOneLine(e.Message))
            {
                // The expected outcome for a hostile input: refused with a one-line message.
            }
        }

        if (args.Length == 1)
        {
            Fuzzer.LibFuzzer.Run(span => RunOne(span));
            return 0;
        }
        foreach (string file in args.Skip(1))
        {
            RunOne(File.ReadAllBytes(file));
            Console.WriteLine($"{file}: ok");
        }
        return 0;
    }

    // A message that spans lines breaks the one-line error contract: let it escape as a finding.
    static bool IsOneLine(string message) => !message.Contains('\n') && !message.Contains('\r');
}
