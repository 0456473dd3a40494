using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>
/// A valid safetensors file taken apart for mutation: the header as editable JSON and the data section as bytes.
/// <see cref="Assemble"/> writes a file from (possibly damaged) parts with a consistent or a chosen length field.
/// </summary>
public sealed class SafetensorsImage
{
    public JsonObject Header { get; }
    public byte[] Data { get; }

    SafetensorsImage(JsonObject header, byte[] data)
    {
        Header = header;
        Data = data;
    }

    public static SafetensorsImage Parse(byte[] file)
    {
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var header = (JsonObject)JsonNode.Parse(file.AsSpan(8, (int)headerLength))!;
        return new SafetensorsImage(header, file[(8 + (int)headerLength)..]);
    }

    /// <summary>The tensor entries (everything but __metadata__), in file order.</summary>
    public IReadOnlyList<string> TensorNames => Header.Select(p => p.Key).Where(k => k != "__metadata__").ToList();

    public JsonObject Entry(string name) => (JsonObject)Header[name]!;

    /// <summary>A deep copy, so that a mutation never edits the cached original.</summary>
    public SafetensorsImage Clone() => new((JsonObject)Header.DeepClone(), (byte[])Data.Clone());

    public byte[] HeaderBytes() => Encoding.UTF8.GetBytes(Header.ToJsonString());

    public byte[] Assemble() => Assemble(HeaderBytes(), Data);

    /// <summary>A file from raw header bytes and data, with the length field set to the header's length unless given.</summary>
    public static byte[] Assemble(byte[] header, byte[] data, ulong? lengthField = null)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, lengthField ?? (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    /// <summary>The header bytes and data section of a file this type can parse (used to edit header bytes in place).</summary>
    public static (byte[] Header, byte[] Data) Split(byte[] file)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        return (file[8..(8 + headerLength)], file[(8 + headerLength)..]);
    }
}
