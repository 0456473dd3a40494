using System.Text;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>
/// A strict reader of the RIFF/AVI structure the Motion-JPEG fallback writes, written from the AVI specification
/// (not from the writer): chunk sizes must add up, the main header, the 'movi' frames and the 'idx1' index must agree.
/// </summary>
public sealed record AviFile(int Width, int Height, int HeaderFrames, int StreamFrames, string Handler, IReadOnlyList<byte[]> Frames, int IndexEntries)
{
    public static AviFile Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 12 || Id(bytes, 0) != "RIFF" || Id(bytes, 8) != "AVI ") throw new InvalidDataException($"{path}: not a RIFF AVI file");
        long riffSize = BitConverter.ToUInt32(bytes, 4);
        if (riffSize + 8 != bytes.Length) throw new InvalidDataException($"{path}: RIFF size {riffSize} + 8 != file length {bytes.Length}");

        int width = -1, height = -1, headerFrames = -1, streamFrames = -1, indexEntries = -1;
        string handler = "";
        var frames = new List<(int Offset, byte[] Data)>();
        int moviData = -1;
        var index = new List<(string Id, int Offset, int Size)>();

        foreach (var (id, listType, start, size) in Chunks(bytes, 12, bytes.Length))
        {
            if (id == "LIST" && listType == "hdrl")
            {
                foreach (var (hid, htype, hstart, hsize) in Chunks(bytes, start + 4, start + size))
                {
                    if (hid == "avih")
                    {
                        headerFrames = BitConverter.ToInt32(bytes, hstart + 16);   // dwTotalFrames
                        width = BitConverter.ToInt32(bytes, hstart + 32);          // dwWidth
                        height = BitConverter.ToInt32(bytes, hstart + 36);         // dwHeight
                    }
                    else if (hid == "LIST" && htype == "strl")
                        foreach (var (sid, _, sstart, _) in Chunks(bytes, hstart + 4, hstart + hsize))
                            if (sid == "strh")
                            {
                                if (Id(bytes, sstart) != "vids") throw new InvalidDataException($"{path}: stream type is '{Id(bytes, sstart)}', not 'vids'");
                                handler = Id(bytes, sstart + 4);
                                streamFrames = BitConverter.ToInt32(bytes, sstart + 32);   // dwLength
                            }
                }
            }
            else if (id == "LIST" && listType == "movi")
            {
                moviData = start + 4;
                foreach (var (fid, _, fstart, fsize) in Chunks(bytes, start + 4, start + size))
                    if (fid == "00dc") frames.Add((fstart - 8, bytes[fstart..(fstart + fsize)]));
            }
            else if (id == "idx1")
            {
                if (size % 16 != 0) throw new InvalidDataException($"{path}: idx1 size {size} is not a multiple of 16");
                for (int at = start; at < start + size; at += 16)
                    index.Add((Id(bytes, at), BitConverter.ToInt32(bytes, at + 8), BitConverter.ToInt32(bytes, at + 12)));
                indexEntries = index.Count;
            }
        }
        if (moviData < 0) throw new InvalidDataException($"{path}: no 'movi' list");

        // idx1 offsets are relative to the 'movi' list type field; each must land on the frame chunk it describes.
        for (int i = 0; i < index.Count; i++)
        {
            var (iid, offset, isize) = index[i];
            if (i >= frames.Count) throw new InvalidDataException($"{path}: idx1 has more entries than 'movi' has frames");
            if (iid != "00dc" || moviData - 4 + offset != frames[i].Offset || isize != frames[i].Data.Length)
                throw new InvalidDataException($"{path}: idx1 entry {i} ({iid} at {offset}, {isize} bytes) does not point at frame {i}");
        }
        return new AviFile(width, height, headerFrames, streamFrames, handler, frames.Select(f => f.Data).ToList(), indexEntries);
    }

    static string Id(byte[] bytes, int at) => Encoding.ASCII.GetString(bytes, at, 4);

    /// <summary>The chunks between <paramref name="from"/> and <paramref name="to"/>: id, list type (for LIST/RIFF), data start, data size.</summary>
    static IEnumerable<(string Id, string? ListType, int Start, int Size)> Chunks(byte[] bytes, int from, int to)
    {
        int at = from;
        while (at < to)
        {
            if (at + 8 > to) throw new InvalidDataException($"chunk header at {at} runs past its parent (ends at {to})");
            string id = Id(bytes, at);
            int size = checked((int)BitConverter.ToUInt32(bytes, at + 4));
            int start = at + 8;
            if (start + size > to) throw new InvalidDataException($"chunk '{id}' at {at} ({size} bytes) runs past its parent (ends at {to})");
            yield return (id, id is "LIST" or "RIFF" ? Id(bytes, start) : null, start, size);
            at = start + size + (size & 1);     // chunks are padded to an even length
        }
    }
}
