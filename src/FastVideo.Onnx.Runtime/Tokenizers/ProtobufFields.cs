namespace FastVideo.Onnx.Runtime.Tokenizers;

/// <summary>
/// Just enough of the protobuf wire format to walk a message's fields and rebuild it with some of them replaced.
/// SentencePiece models are plain protobuf; reading the few fields this project needs by hand spares a generated
/// model class (Microsoft.ML.Tokenizers keeps its own internal). Malformed input raises <see cref="FormatException"/>.
/// </summary>
internal static class ProtobufFields
{
    /// <summary>Every field of <paramref name="message"/>, in order; throws <see cref="FormatException"/> unless the bytes parse to their end.</summary>
    public static List<ProtobufField> Read(ReadOnlySpan<byte> message)
    {
        var fields = new List<ProtobufField>();
        int position = 0;
        while (position < message.Length)
        {
            int start = position;
            ulong tag = ReadVarint(message, ref position);
            var wireType = (ProtobufWireType)(int)(tag & 7);
            ulong number = tag >> 3;
            if (number == 0 || number > 536_870_911) throw new FormatException($"invalid field number {number} at byte {start}");
            ulong value = 0;
            int payloadOffset = position, payloadLength = 0;
            switch (wireType)
            {
                case ProtobufWireType.Varint:
                    value = ReadVarint(message, ref position);
                    break;
                case ProtobufWireType.Fixed64:
                    Require(message, position, 8);
                    value = BitConverter.ToUInt64(message.Slice(position, 8));
                    position += 8;
                    break;
                case ProtobufWireType.Fixed32:
                    Require(message, position, 4);
                    value = BitConverter.ToUInt32(message.Slice(position, 4));
                    position += 4;
                    break;
                case ProtobufWireType.LengthDelimited:
                    ulong length = ReadVarint(message, ref position);
                    if (length > int.MaxValue) throw new FormatException($"field {number} at byte {start} claims {length} bytes");
                    payloadOffset = position;
                    payloadLength = (int)length;
                    Require(message, position, payloadLength);
                    position += payloadLength;
                    break;
                default:
                    // Groups are deprecated and SentencePiece never writes them: treat them as corruption.
                    throw new FormatException($"unsupported wire type {(int)wireType} for field {number} at byte {start}");
            }
            fields.Add(new ProtobufField((int)number, wireType, value, start, position - start, payloadOffset, payloadLength));
        }
        return fields;
    }

    static void Require(ReadOnlySpan<byte> message, int position, int count)
    {
        if (count < 0 || position + count > message.Length)
            throw new FormatException($"truncated: {count} bytes needed at byte {position}, {message.Length - position} left");
    }

    static ulong ReadVarint(ReadOnlySpan<byte> message, ref int position)
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (position >= message.Length) throw new FormatException("truncated varint");
            byte b = message[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new FormatException("varint longer than 10 bytes");
    }

    public static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        output.WriteByte((byte)value);
    }

    public static void WriteTag(Stream output, int number, ProtobufWireType wireType) =>
        WriteVarint(output, ((ulong)number << 3) | (ulong)wireType);

    /// <summary>An int32 varint field; negative values are sign-extended to 64 bits as protobuf requires.</summary>
    public static void WriteInt32Field(Stream output, int number, int value)
    {
        WriteTag(output, number, ProtobufWireType.Varint);
        WriteVarint(output, (ulong)(long)value);
    }

    public static void WriteBytesField(Stream output, int number, ReadOnlySpan<byte> payload)
    {
        WriteTag(output, number, ProtobufWireType.LengthDelimited);
        WriteVarint(output, (ulong)payload.Length);
        output.Write(payload);
    }
}
