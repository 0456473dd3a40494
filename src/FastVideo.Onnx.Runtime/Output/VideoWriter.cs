using System.Diagnostics;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Runtime.Tensors;
using SkiaSharp;

namespace FastVideo.Onnx.Runtime.Output;

/// <summary>
/// Writes a generation result by the output's form: <c>X.safetensors</c> (float32 <c>latents</c> and <c>video</c>),
/// <c>X.mp4</c> (H.264 through ffmpeg when on PATH, else Motion-JPEG <c>X.avi</c> with a notice), <c>DIR/</c> (PNG
/// frames). Every file is written under a temporary name and renamed at the end; a cancellation stops the writing
/// (killing ffmpeg and its children) and removes what was written.
/// </summary>
public static class VideoWriter
{
    /// <summary>Checks that <paramref name="output"/> can be written before any work is done.</summary>
    public static void CheckWritable(string output)
    {
        if (IsFolder(output))
        {
            string full = Path.GetFullPath(output);
            string? parent = Path.GetDirectoryName(full.TrimEnd(Path.DirectorySeparatorChar));
            if (File.Exists(full.TrimEnd(Path.DirectorySeparatorChar))) throw new InvalidRequestException("Output", $"{output} is a file, not a folder");
            if (parent is null || !Directory.Exists(parent)) throw new InvalidRequestException("Output", $"{parent} does not exist");
            ProbeWrite(Directory.Exists(full) ? full : parent, output);
            return;
        }
        string ext = Path.GetExtension(output).ToLowerInvariant();
        if (ext is not (".safetensors" or ".mp4" or ".avi"))
            throw new InvalidRequestException("Output", $"'{output}': use .mp4, .safetensors, or a folder ending in / for PNG frames");
        string dir = Path.GetDirectoryName(Path.GetFullPath(output))!;
        if (!Directory.Exists(dir)) throw new InvalidRequestException("Output", $"{dir} does not exist");
        if (Directory.Exists(output)) throw new InvalidRequestException("Output", $"{output} is a folder");
        ProbeWrite(dir, output);
    }

    static void ProbeWrite(string folder, string output)
    {
        string probe = Path.Combine(folder, $".fastvideo-write-test-{Guid.NewGuid().ToString("N")[..8]}");
        try
        {
            File.WriteAllBytes(probe, Array.Empty<byte>());
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new InvalidRequestException("Output", $"cannot write to {folder} ({e.Message})");
        }
        _ = output;
    }

    public static bool IsFolder(string output) =>
        output.EndsWith('/') || output.EndsWith(Path.DirectorySeparatorChar) || Directory.Exists(output);

    /// <summary>Writes the result; returns the paths written (the fallback may change the extension).</summary>
    public static IReadOnlyList<string> Write(string output, HostTensor latents, VideoFrames? video, int fps, Action<string>? notice = null,
        CancellationToken cancel = default)
    {
        cancel.ThrowIfCancellationRequested();
        if (IsFolder(output))
        {
            if (video is null) throw new InvalidRequestException("Output", "PNG frames need the decoded video");
            return WritePngFrames(output, video, cancel);
        }
        switch (Path.GetExtension(output).ToLowerInvariant())
        {
            case ".safetensors":
                AtomicFile.Write(output, temp => WriteSafetensors(temp, latents, video), cancel);
                return new[] { output };
            case ".mp4":
                if (video is null) throw new InvalidRequestException("Output", ".mp4 needs the decoded video");
                string? ffmpeg = FindOnPath("ffmpeg");
                if (ffmpeg is not null)
                {
                    AtomicFile.Write(output, temp => EncodeH264(ffmpeg, temp, video, fps, cancel), cancel);
                    return new[] { output };
                }
                string avi = Path.ChangeExtension(output, ".avi");
                notice?.Invoke($"ffmpeg not found on PATH: wrote {avi} (Motion-JPEG AVI) instead of an H.264 .mp4");
                AtomicFile.Write(avi, temp => MjpegAviWriter.Write(temp, video, fps, cancel: cancel), cancel);
                return new[] { avi };
            case ".avi":
                if (video is null) throw new InvalidRequestException("Output", ".avi needs the decoded video");
                AtomicFile.Write(output, temp => MjpegAviWriter.Write(temp, video, fps, cancel: cancel), cancel);
                return new[] { output };
            default:
                throw new InvalidRequestException("Output", $"'{output}': use .mp4, .safetensors, or a folder ending in / for PNG frames");
        }
    }

    static void WriteSafetensors(string path, HostTensor latents, VideoFrames? video)
    {
        var tensors = new List<(string, DType, long[], ReadOnlyMemory<byte>)>
        {
            ("latents", DType.Float32, latents.Shape, Bytes(latents.Data)),
        };
        if (video is not null) tensors.Add(("video", DType.Float32, video.Tensor.Shape, Bytes(video.Tensor.Data)));
        SafetensorsFile.Write(path, tensors, new Dictionary<string, string> { ["producer"] = "fastvideo-onnx" });
    }

    static ReadOnlyMemory<byte> Bytes(float[] data)
    {
        var bytes = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    /// <summary>Frame files this writer produces (frame_0000.png, ...): the only files it replaces or removes in a folder.</summary>
    static readonly System.Text.RegularExpressions.Regex FrameFile = new(@"^frame_\d{4,}\.png$");

    static string FrameName(int index) => $"frame_{index:D4}.png";

    static IReadOnlyList<string> WritePngFrames(string folder, VideoFrames video, CancellationToken cancel)
    {
        // Frames go into a temporary folder that replaces the output folder at the end, so the folder holds exactly this
        // run's frames (never frames left from an earlier, longer run). A folder that also holds other files keeps them:
        // its frame files are replaced and the surplus ones removed.
        string full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        AtomicFile.RemoveStalePartials(full);
        using var partial = PartialOutput.Create(full);
        string temp = partial.Path;
        Directory.CreateDirectory(temp);
        try
        {
            var names = new List<string>();
            for (int i = 0; i < video.Frames; i++)
            {
                cancel.ThrowIfCancellationRequested();
                string name = FrameName(i);
                File.WriteAllBytes(Path.Combine(temp, name), FrameEncoder.Encode(video, i, SKEncodedImageFormat.Png, 100));
                names.Add(name);
            }
            cancel.ThrowIfCancellationRequested();
            if (!Directory.Exists(full)) Directory.Move(temp, full);
            else if (Directory.EnumerateFileSystemEntries(full).All(e => File.Exists(e) && FrameFile.IsMatch(Path.GetFileName(e))))
            {
                // Only frames of an earlier run: the old folder moves aside under the partial's lock, the new one into place.
                string old = temp + ".old";
                Directory.Move(full, old);
                Directory.Move(temp, full);
                Directory.Delete(old, true);
            }
            else
            {
                foreach (var name in names) File.Move(Path.Combine(temp, name), Path.Combine(full, name), overwrite: true);
                var kept = names.ToHashSet(StringComparer.Ordinal);
                foreach (var stale in Directory.GetFiles(full).Where(f => FrameFile.IsMatch(Path.GetFileName(f)) && !kept.Contains(Path.GetFileName(f))))
                    File.Delete(stale);
            }
            return names.Select(n => Path.Combine(full, n)).ToList();
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, true);
        }
    }

    static void EncodeH264(string ffmpeg, string path, VideoFrames video, int fps, CancellationToken cancel)
    {
        var psi = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                     "-s", $"{video.Width}x{video.Height}", "-r", fps.ToString(), "-i", "-",
                     "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "17", "-movflags", "+faststart", "-f", "mp4", path,
                 })
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new FastVideoException("could not start ffmpeg");
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        // A cancellation kills ffmpeg and whatever it started; the caller then removes the partial file.
        using (cancel.Register(() => KillTree(process)))
        {
            try
            {
                using var stdin = process.StandardInput.BaseStream;
                for (int i = 0; i < video.Frames; i++)
                {
                    cancel.ThrowIfCancellationRequested();
                    stdin.Write(video.Rgb24(i));
                }
            }
            catch (IOException) when (cancel.IsCancellationRequested)
            {
                // The pipe broke because ffmpeg was killed.
            }
            process.WaitForExit();
        }
        cancel.ThrowIfCancellationRequested();
        if (process.ExitCode != 0)
            throw new FastVideoException($"ffmpeg failed (exit {process.ExitCode}): {FastVideoException.FirstLine(errors.Result)}");
    }

    static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exiting while being killed.
        }
    }

    static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
