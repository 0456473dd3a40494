using System.Text;
using SkiaSharp;

namespace FastVideo.Onnx.Runtime.Output;

/// <summary>
/// The no-dependency video fallback: Motion-JPEG in an AVI container (RIFF), which common players read. Used when
/// ffmpeg is not available for H.264.
/// </summary>
internal static class MjpegAviWriter
{
    public static void Write(string path, VideoFrames video, int fps, int quality = 92, CancellationToken cancel = default)
    {
        var frames = Enumerable.Range(0, video.Frames).Select(i =>
        {
            cancel.ThrowIfCancellationRequested();
            return FrameEncoder.Encode(video, i, SKEncodedImageFormat.Jpeg, quality);
        }).ToList();
        using var fs = File.Create(path);
        using var w = new BinaryWriter(fs, Encoding.ASCII);
        int w0 = video.Width, h0 = video.Height;
        long riffSizeAt = Begin(w, "RIFF", "AVI ");

        long hdrl = Begin(w, "LIST", "hdrl");
        Chunk(w, "avih", b =>
        {
            b.Write(1_000_000 / fps);                          // microseconds per frame
            b.Write(frames.Max(f => f.Length) * fps);          // max bytes per second
            b.Write(0);                                        // padding granularity
            b.Write(0x10);                                     // AVIF_HASINDEX
            b.Write(frames.Count);
            b.Write(0);                                        // initial frames
            b.Write(1);                                        // streams
            b.Write(frames.Max(f => f.Length));                // suggested buffer size
            b.Write(w0);
            b.Write(h0);
            b.Write(new byte[16]);                             // reserved
        });
        long strl = Begin(w, "LIST", "strl");
        Chunk(w, "strh", b =>
        {
            b.Write(Encoding.ASCII.GetBytes("vids"));
            b.Write(Encoding.ASCII.GetBytes("MJPG"));
            b.Write(0);                                        // flags
            b.Write((short)0);                                 // priority
            b.Write((short)0);                                 // language
            b.Write(0);                                        // initial frames
            b.Write(1);                                        // scale
            b.Write(fps);                                      // rate
            b.Write(0);                                        // start
            b.Write(frames.Count);                             // length
            b.Write(frames.Max(f => f.Length));
            b.Write(-1);                                       // quality
            b.Write(0);                                        // sample size
            b.Write((short)0);
            b.Write((short)0);
            b.Write((short)w0);
            b.Write((short)h0);
        });
        Chunk(w, "strf", b =>
        {
            b.Write(40);                                       // BITMAPINFOHEADER size
            b.Write(w0);
            b.Write(h0);
            b.Write((short)1);                                 // planes
            b.Write((short)24);                                // bit count
            b.Write(Encoding.ASCII.GetBytes("MJPG"));
            b.Write(w0 * h0 * 3);
            b.Write(0);
            b.Write(0);
            b.Write(0);
            b.Write(0);
        });
        End(w, strl);
        End(w, hdrl);

        long movi = Begin(w, "LIST", "movi");
        var offsets = new List<(int Offset, int Size)>();
        foreach (var f in frames)
        {
            // idx1 offsets count from the 'movi' fourcc (the first chunk is at 4), as the AVI index format defines them.
            offsets.Add(((int)(fs.Position - (movi + 4)), f.Length));
            Chunk(w, "00dc", b => b.Write(f));
        }
        End(w, movi);
        Chunk(w, "idx1", b =>
        {
            foreach (var (offset, size) in offsets)
            {
                b.Write(Encoding.ASCII.GetBytes("00dc"));
                b.Write(0x10);                                 // AVIIF_KEYFRAME
                b.Write(offset);
                b.Write(size);
            }
        });
        End(w, riffSizeAt);
    }

    static long Begin(BinaryWriter w, string id, string type)
    {
        w.Write(Encoding.ASCII.GetBytes(id));
        long at = w.BaseStream.Position;
        w.Write(0);
        w.Write(Encoding.ASCII.GetBytes(type));
        return at;
    }

    static void End(BinaryWriter w, long sizeAt)
    {
        long end = w.BaseStream.Position;
        w.BaseStream.Position = sizeAt;
        w.Write((int)(end - sizeAt - 4));
        w.BaseStream.Position = end;
    }

    static void Chunk(BinaryWriter w, string id, Action<BinaryWriter> body)
    {
        w.Write(Encoding.ASCII.GetBytes(id));
        long at = w.BaseStream.Position;
        w.Write(0);
        body(w);
        long end = w.BaseStream.Position;
        w.BaseStream.Position = at;
        w.Write((int)(end - at - 4));
        w.BaseStream.Position = end;
        if ((end - at - 4) % 2 == 1) w.Write((byte)0);     // chunks are word-aligned
    }
}
